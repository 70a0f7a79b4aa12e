"""A small hand-made SVG (no plotting library): cost against candidates and against entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

W, H = 340, 230
LEFT, RIGHT, TOP, BOTTOM = 58, 16, 34, 44


def _panel(x0: int, title: str, xlabel: str, ylabel: str, points: list[tuple[float, float]]) -> str:
    if not points:
        return ""
    xmax = max(p[0] for p in points) or 1
    ymax = max(p[1] for p in points) or 1
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(x: float) -> float:
        return x0 + LEFT + pw * x / xmax

    def sy(y: float) -> float:
        return TOP + ph - ph * y / ymax

    parts = [
        f'<text x="{x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">{title}</text>',
        f'<line x1="{x0 + LEFT}" y1="{TOP + ph}" x2="{x0 + LEFT + pw}" y2="{TOP + ph}" '
        'stroke="#333"/>',
        f'<line x1="{x0 + LEFT}" y1="{TOP}" x2="{x0 + LEFT}" y2="{TOP + ph}" stroke="#333"/>',
        f'<text x="{x0 + LEFT + pw / 2}" y="{H - 8}" text-anchor="middle">{xlabel}</text>',
        f'<text x="{x0 + 14}" y="{TOP + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 {x0 + 14} {TOP + ph / 2})">{ylabel}</text>',
    ]
    for frac in (0, 0.5, 1):
        y = ymax * frac
        parts.append(
            f'<text x="{x0 + LEFT - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>'
        )
    for x, _y in points:
        parts.append(f'<text x="{sx(x):.1f}" y="{TOP + ph + 16}" text-anchor="middle">{x:g}</text>')
    line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in [(0, 0), *points])
    parts.append(f'<polyline points="{line}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
    parts += [
        f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="#1f6feb"/>' for x, y in points
    ]
    return "\n".join(parts)


def write_svg(path: Path, cohort: list[dict[str, Any]], engine: list[dict[str, Any]]) -> None:
    """Left: cold cohort seconds against candidates. Right: engine ms against entries."""
    body = _panel(
        0,
        "Load + evaluate a cohort (cold)",
        "candidates",
        "seconds",
        [(p["candidates"], p["seconds"]) for p in cohort],
    ) + _panel(
        W,
        "Evaluate one CFP candidate",
        "weekly entries",
        "ms",
        [(p["entries"], p["ms"]) for p in engine],
    )
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H}" '
        f'viewBox="0 0 {2 * W} {H}" font-family="sans-serif" font-size="11">\n'
        f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n'
    )
