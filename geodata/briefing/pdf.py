"""Render a briefing as a multi-page A4 PDF (reportlab) or as printable HTML (jinja2).

The PDF uses DejaVu Sans (shipped with matplotlib) so that every French character
("œ", "’", "é", narrow no-break spaces) is drawn. Every string is escaped before it
reaches reportlab's paragraph markup or the HTML template (autoescape on).
"""

from __future__ import annotations

import base64
import functools
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

import jinja2
import markupsafe
import matplotlib
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from geodata.atlas import Atlas
from geodata.briefing import figures as briefing_map
from geodata.briefing.document import Block, Document, Link, document
from geodata.briefing.model import Briefing

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
NAVY = colors.HexColor("#12355b")
CONTENT_WIDTH = A4[0] - 3 * cm


@functools.cache
def _fonts() -> None:
    """Register DejaVu Sans (regular and bold) from matplotlib's data, once.

    Also turns off reportlab's ASCII85 stream encoding (pure Python: 0.3 s per map
    image); streams are then binary and smaller.
    """
    rl_config.useA85 = 0
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    base = getSampleStyleSheet()
    s = {
        "p": ParagraphStyle("p", parent=base["BodyText"], fontName=FONT, fontSize=9, leading=12),
        "note": ParagraphStyle(
            "note",
            parent=base["BodyText"],
            fontName=FONT,
            fontSize=7.5,
            leading=10,
            textColor=colors.HexColor("#555555"),
        ),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9.5),
        # splitLongWords off: an address wraps only where url_lines says, never mid-word
        "link": ParagraphStyle("link", fontName=FONT, fontSize=7, leading=9, splitLongWords=0),
        "head": ParagraphStyle(
            "head", fontName=FONT_BOLD, fontSize=7.5, leading=9.5, textColor=colors.white
        ),
        "h1": ParagraphStyle(
            "h1", parent=base["Title"], fontName=FONT_BOLD, fontSize=20, leading=24, textColor=NAVY
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base["Heading2"],
            fontName=FONT_BOLD,
            fontSize=13,
            textColor=NAVY,
            spaceBefore=10,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base["Heading3"],
            fontName=FONT_BOLD,
            fontSize=10,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "kicker": ParagraphStyle(
            "kicker",
            fontName=FONT,
            fontSize=9,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#555555"),
        ),
    }
    s["sub"] = ParagraphStyle("sub", parent=s["kicker"], fontSize=11, leading=14)
    s["fact"] = ParagraphStyle("fact", fontName=FONT, fontSize=8, leading=10, textColor=NAVY)
    s["factv"] = ParagraphStyle("factv", fontName=FONT_BOLD, fontSize=8, leading=10)
    return s


def render_images(atlas: Atlas, b: Briefing) -> dict[str, bytes]:
    """Return the PNG images of a briefing: ``map`` (server-side, no browser) and ``chart``."""
    return {"map": briefing_map.map_png(atlas, b), "chart": briefing_map.chart_png(b)}


def pdf_bytes(
    atlas: Atlas, b: Briefing, base_url: str = "", images: dict[str, bytes] | None = None
) -> bytes:
    """Return the briefing as an A4 PDF (cover with the map, then the five sections)."""
    return to_pdf(document(b, base_url), images or render_images(atlas, b))


def html_text(
    atlas: Atlas, b: Briefing, base_url: str = "", images: dict[str, bytes] | None = None
) -> str:
    """Return the briefing as one self-contained, printable HTML page (images inlined)."""
    return to_html(document(b, base_url), images or render_images(atlas, b))


# ---------------------------------------------------------------- PDF


def _p(text: str, style: str = "p") -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


CELL_MAX_CHARS = 300  # a table row cannot split across pages: longer cells are cut


def clip(text: object, limit: int = CELL_MAX_CHARS) -> str:
    """Return ``text`` as a string cut to ``limit`` characters, ending with "…" when cut.

    A table cell of the briefing (a case name or a link from a user's table) is cut so that
    its row always fits on a page: reportlab cannot split a row, and one overlong cell would
    otherwise make the whole PDF fail (``LayoutError``).
    """
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


URL_BREAKS = re.compile(r"(?<=[/?=&.])|(?<=-)")  # where a printed address may wrap
CELL_PADDING = 12  # reportlab's default left + right padding of a table cell (points)


def url_lines(url: str, width: float, font: str = FONT, size: float = 7.5) -> list[str]:
    """Split an address into lines no wider than ``width`` points, only after ``/ ? = & . -``.

    A printed link must stay readable and typeable: it never breaks inside a word. A
    piece wider than the column on its own stays whole (reportlab then lets it overflow
    rather than cut it).
    """
    _fonts()
    lines: list[str] = []
    line = ""
    for piece in (p for p in URL_BREAKS.split(url) if p):
        if line and pdfmetrics.stringWidth(line + piece, font, size) > width:
            lines.append(line)
            line = piece
        else:
            line += piece
    return [*lines, line] if line else lines


def _cell(value: str | Link, head: bool = False, width: float = CONTENT_WIDTH) -> Paragraph:
    if isinstance(value, Link):
        url = escape(value.url, {'"': "&quot;"})
        style = _styles()["link"]
        lines = url_lines(clip(value.url), width - CELL_PADDING, style.fontName, style.fontSize)
        text = "<br/>".join(escape(line) for line in lines)
        return Paragraph(f'<link href="{url}" color="#1f5fa8">{text}</link>', style)
    return Paragraph(escape(clip(value)), _styles()["head" if head else "cell"])


def _table(t) -> Table:
    widths = t.widths or [1] * len(t.columns)
    total = sum(widths)
    col_widths = [CONTENT_WIDTH * w / total for w in widths]
    has_head = any(t.columns)
    data = ([[_cell(c, head=True) for c in t.columns]] if has_head else []) + [
        [_cell(c, width=w) for c, w in zip(row, col_widths, strict=False)] for row in t.rows
    ]
    table = Table(data, colWidths=col_widths, repeatRows=1 if has_head else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8c8c8")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if has_head:
        style.append(("BACKGROUND", (0, 0), (-1, 0), NAVY))
    table.setStyle(TableStyle(style))
    return table


def _image(png: bytes, width: float) -> Image:
    img = Image(io.BytesIO(png))
    ratio = img.imageHeight / img.imageWidth
    img.drawWidth, img.drawHeight = width, width * ratio
    return img


def _image_text(block: Block, alt: dict[str, str]) -> list:
    """Return the text alternative printed under an image (an untagged PDF has no /Alt)."""
    return [_p(alt[block.image], "note")] if alt.get(block.image) else []


def _flowables(block: Block, images: dict[str, bytes], alt: dict[str, str]) -> list:
    if block.kind in ("h2", "h3", "p", "note"):
        return [_p(block.text, block.kind)]
    if block.kind == "table":
        return [_table(block.table), Spacer(1, 4)]
    if block.kind == "image" and block.image in images:
        return [_image(images[block.image], CONTENT_WIDTH)] + _image_text(block, alt)
    return []


COVER_MAP_WIDTH = 14 * cm  # leaves page 1 room for the key facts above the map


def _key_facts(left: list[tuple[str, str]], right: list[tuple[str, str]]) -> Table:
    """Page 1's key-facts block: the figures on the left, the counts on the right."""
    rows = []
    for i in range(max(len(left), len(right))):
        row = [_p(left[i][0], "fact"), _p(left[i][1], "factv")] if i < len(left) else ["", ""]
        row += [_p(right[i][0], "fact"), _p(right[i][1], "factv")] if i < len(right) else ["", ""]
        rows.append(row)
    w = CONTENT_WIDTH
    table = Table(rows, colWidths=[w * 0.25, w * 0.29, w * 0.35, w * 0.11])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#eef3f9")),
                ("LINEABOVE", (0, 0), (-1, 0), 1, NAVY),
                ("LINEBELOW", (0, -1), (-1, -1), 1, NAVY),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def to_pdf(doc: Document, images: dict[str, bytes]) -> bytes:
    """Render a :class:`~geodata.briefing_doc.Document` as A4 PDF bytes."""
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.4 * cm,
        bottomMargin=1.6 * cm,
        title=doc.title,
        author="Atlas des coopérations territoriales",
        subject=f"Fiche territoire — {doc.subtitle}",
        lang="fr-FR",  # the catalogue's /Lang; reportlab writes no structure tree (untagged)
    )
    story = [
        _p("Atlas des coopérations territoriales — fiche territoire", "kicker"),
        Spacer(1, 6),
        _p(doc.title, "h1"),
        _p(doc.subtitle, "sub"),
        Spacer(1, 6),
        _key_facts(doc.key_facts or doc.figures, doc.key_counts),
        Spacer(1, 6),
    ]
    if "map" in images:
        # Untagged PDF: no /Alt on the image, so its text alternative is printed below it.
        story += [_image(images["map"], COVER_MAP_WIDTH), _p(doc.map_alt, "note")]
    story += [
        Spacer(1, 6),
        _p(doc.cover_note),
        Spacer(1, 4),
        _p(doc.generated, "note"),
        PageBreak(),
    ]
    for block in doc.blocks:
        if block.kind in ("h2", "h3"):  # no heading alone at the foot of a page
            story.append(CondPageBreak(3.5 * cm))
        story += _flowables(block, images, {"map": doc.map_alt, "chart": doc.chart_alt})

    def footer(canvas, _doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(1.5 * cm, 0.9 * cm, doc.footer[:110])
        canvas.drawRightString(
            A4[0] - 1.5 * cm, 0.9 * cm, f"{doc.generated} · page {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# ---------------------------------------------------------------- HTML

HTML_TEMPLATE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{{ doc.title }} — fiche territoire</title>
<style>
  body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #1b1b1b;
         max-width: 19cm; margin: 1cm auto; }
  h1 { color: #12355b; margin: .2em 0; } h2 { color: #12355b; margin-top: 1.2em; }
  .kicker, .sub { text-align: center; color: #555; } h1 { text-align: center; }
  table { border-collapse: collapse; width: 100%; margin: .4em 0 .8em; font-size: 8.5pt; }
  th { background: #12355b; color: #fff; text-align: left; }
  th, td { border: 1px solid #c8c8c8; padding: 2px 4px; vertical-align: top; }
  .note { color: #555; font-size: 8.5pt; } img { width: 100%; }
  table.facts { background: #eef3f9; border-top: 2px solid #12355b; }
  table.facts th { background: none; color: #12355b; font-weight: normal; }
  table.facts th, table.facts td { border: none; }
  @page { size: A4; margin: 1.4cm 1.5cm; }
  @media print { .cover { page-break-after: always; } h2, h3 { page-break-after: avoid; }
                 tr { page-break-inside: avoid; } }
</style>
</head>
<body>
<section class="cover">
  <p class="kicker">Atlas des coopérations territoriales — fiche territoire</p>
  <h1>{{ doc.title }}</h1>
  <p class="sub">{{ doc.subtitle }}</p>
  <table class="facts"><tbody>
  {% for i in range([doc.key_facts | length, doc.key_counts | length] | max) %}<tr>
    {%- for pairs in (doc.key_facts, doc.key_counts) %}
    {%- if i < pairs | length %}<th scope="row">{{ pairs[i][0] }}</th><td>{{ pairs[i][1] }}</td>
    {%- else %}<td></td><td></td>{% endif %}{% endfor %}</tr>
  {% endfor %}</tbody></table>
  {% if images.map %}
  <img src="data:image/png;base64,{{ images.map }}" alt="{{ doc.map_alt }}">
  {% endif %}
  <p>{{ doc.cover_note }}</p>
  <p class="note">{{ doc.generated }}</p>
</section>
{% for block in doc.blocks %}
  {% if block.kind == "h2" %}<h2>{{ block.text }}</h2>
  {% elif block.kind == "h3" %}<h3>{{ block.text }}</h3>
  {% elif block.kind == "p" %}<p>{{ block.text }}</p>
  {% elif block.kind == "note" %}<p class="note">{{ block.text }}</p>
  {% elif block.kind == "image" and images[block.image] %}
  <img src="data:image/png;base64,{{ images[block.image] }}" alt="{{ doc.chart_alt }}">
  {% elif block.kind == "table" %}
  <table>
    {% if block.table.columns | select | list %}<thead><tr>
      {%- for c in block.table.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>{% endif %}
    <tbody>
    {% for row in block.table.rows %}<tr>{% for cell in row %}<td>
      {%- if cell.url is defined %}<a href="{{ cell.url }}">{{ cell.url | clip | url_breaks }}</a>
      {%- else %}{{ cell | clip }}{% endif %}</td>{% endfor %}</tr>
    {% endfor %}
    </tbody>
  </table>
  {% endif %}
{% endfor %}
<footer class="note">{{ doc.footer }} · {{ doc.generated }}</footer>
</body>
</html>
"""


def _url_breaks(url: str) -> markupsafe.Markup:
    """Escape an address and let it wrap only after ``/ ? = & . -`` (``<wbr>``)."""
    return markupsafe.Markup("<wbr>").join(markupsafe.escape(p) for p in URL_BREAKS.split(url) if p)


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["clip"] = clip
    env.filters["url_breaks"] = _url_breaks
    return env.from_string(HTML_TEMPLATE)


def to_html(doc: Document, images: dict[str, bytes]) -> str:
    """Render a :class:`~geodata.briefing_doc.Document` as HTML (every string escaped)."""
    inlined = {k: base64.b64encode(v).decode("ascii") for k, v in images.items()}
    inlined.setdefault("map", "")
    inlined.setdefault("chart", "")
    return _template().render(doc=doc, images=inlined)
