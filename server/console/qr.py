"""The join QR code as inline SVG, sized by CSS so it prints as large as the page allows."""

from __future__ import annotations

import segno


def qr_svg(url: str, title: str) -> str:
    """An SVG drawing of the QR code for `url` (segno picks the smallest version that fits)."""
    code = segno.make(url, micro=False)
    svg: str = code.svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None, title=title
    )
    return svg
