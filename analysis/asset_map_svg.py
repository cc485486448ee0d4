"""A small static map of a community's assets as SVG text, drawn without any tile server.

For the printed profile pack: every located asset is a dot, the asset of the page a larger dot
with its name, and a scale bar gives distances. Black, white and grey only, so it survives a
black-and-white printer. The projection is equirectangular with the longitude scaled by the cosine
of the middle latitude, which keeps distances true to within a fraction of a percent across a town
(the scale bar relies on that), fitted to the points' bounding box with a margin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

# Metres per degree of latitude on a sphere of the mean Earth radius (6371 km).
METRES_PER_DEGREE = 6_371_000 * math.pi / 180
# The smallest area drawn (metres across): one asset, or several at one address, still get a scale.
MIN_SPAN_METRES = 400.0
NICE_STEPS = (1, 2, 5)
# Pixels kept free along the bottom for the scale bar, so no dot ever sits on it.
SCALE_BAR_ROOM = 16

Point = tuple[str, str, float, float]  # slug, name, latitude, longitude


def project(
    points: Sequence[Point], width: float, height: float, margin: float
) -> tuple[dict[str, tuple[float, float]], float]:
    """Pixel positions {slug: (x, y)} (y down) of `points` fitted inside the margin, and pixels per metre.

    The bounding box is centred in the drawing; the axis with room to spare is padded equally.
    """
    if not points:
        return {}, 0.0
    latitudes = [point[2] for point in points]
    longitudes = [point[3] for point in points]
    middle_latitude = (min(latitudes) + max(latitudes)) / 2
    east_metres = METRES_PER_DEGREE * math.cos(math.radians(middle_latitude))
    span_x = max((max(longitudes) - min(longitudes)) * east_metres, MIN_SPAN_METRES)
    span_y = max((max(latitudes) - min(latitudes)) * METRES_PER_DEGREE, MIN_SPAN_METRES)
    per_metre = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    centre_lon = (min(longitudes) + max(longitudes)) / 2
    centre_lat = middle_latitude
    positions = {
        slug: (
            width / 2 + (lon - centre_lon) * east_metres * per_metre,
            height / 2 - (lat - centre_lat) * METRES_PER_DEGREE * per_metre,
        )
        for slug, _name, lat, lon in points
    }
    return positions, per_metre


def scale_bar(per_metre: float, longest: float) -> tuple[float, str]:
    """The longest round distance (1, 2 or 5 times a power of ten metres) drawn in at most `longest`
    pixels: its length in pixels and its label ("200 m", "1 km")."""
    metres = longest / per_metre
    power = 10 ** math.floor(math.log10(metres))
    step = max(step * power for step in NICE_STEPS if step * power <= metres)
    label = f"{step / 1000:g} km" if step >= 1000 else f"{step:g} m"
    return step * per_metre, label


def asset_map_svg(points: Sequence[Point], highlighted: str, width: int = 320, height: int = 220) -> str:
    """An SVG map of `points` with the asset `highlighted` (a slug) larger and named; "" without points.

    Names are escaped: they are the asset log's free text.
    """
    if not points:
        return ""
    margin = 24
    positions, per_metre = project(points, width, height - SCALE_BAR_ROOM, margin)
    names = {slug: name for slug, name, _lat, _lon in points}
    title = names.get(highlighted, "")
    others = [slug for slug in positions if slug != highlighted]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="asset-map" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(_caption(title, len(points)))}">',
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#ffffff" stroke="#0b0c0c"/>',
    ]
    for slug in others:
        x, y = positions[slug]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#b1b4b6" stroke="#0b0c0c" stroke-width="1"/>')
    if highlighted in positions:
        x, y = positions[highlighted]
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#0b0c0c" stroke="#ffffff" stroke-width="2"/>')
        anchor = "end" if x > width / 2 else "start"
        label_x = x - 10 if anchor == "end" else x + 10
        # The white outline under the black text keeps the name readable over dots in print.
        parts.append(
            f'<text x="{label_x:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" font-family="sans-serif" '
            f'font-size="12" font-weight="bold" fill="#0b0c0c" stroke="#ffffff" stroke-width="3" '
            f'paint-order="stroke">{escape(title)}</text>'
        )
    length, label = scale_bar(per_metre, width / 3)
    left, base = 10.0, height - 10.0
    parts += [
        f'<path d="M{left:.1f} {base - 5:.1f}V{base:.1f}H{left + length:.1f}V{base - 5:.1f}" fill="none" '
        f'stroke="#0b0c0c" stroke-width="2"/>',
        f'<text x="{left + length + 6:.1f}" y="{base:.1f}" font-family="sans-serif" font-size="11" '
        f'fill="#0b0c0c">{label}</text>',
        "</svg>",
    ]
    return "".join(parts)


def _caption(name: str, count: int) -> str:
    others = count - 1 if name else count
    where = f"{name} and " if name else ""
    return f"Map of {where}{others} other asset{'s' if others != 1 else ''} of the community, with a scale bar"
