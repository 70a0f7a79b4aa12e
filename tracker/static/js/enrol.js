// The enrol form offers only the pathways of the chosen credential (each option names its
// credential in data-credential); the default pathway is always there. Without JavaScript
// every pathway is listed with its credential checked by the server.
document.addEventListener("DOMContentLoaded", function () {
  var credential = document.getElementById("credential");
  var pathway = document.getElementById("pathway");
  if (!credential || !pathway) { return; }
  var options = Array.prototype.slice.call(pathway.options);
  var update = function () {
    var chosen = credential.value;
    options.forEach(function (option) {
      var owner = option.getAttribute("data-credential");
      var fits = !owner || owner === chosen;
      option.hidden = !fits;
      option.disabled = !fits;
    });
    if (pathway.selectedOptions.length && pathway.selectedOptions[0].disabled) { pathway.value = ""; }
  };
  credential.addEventListener("change", update);
  update();
});
