"""Writes the archive import test fixtures (run once; the files are committed).

Usage: python bench/archive_fixtures.py crates/archive/tests/fixtures
Needs Pillow and pikepdf (PyPI).
"""
import io, sys, zipfile, pathlib
from PIL import Image, ImageDraw, ImageFont
import pikepdf

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

def page(lines, size=(1700, 1100)):
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, 44)
    y = 90
    for line in lines:
        d.text((100, y), line, font=f, fill=0)
        y += 80
    return img

LETTER_FR = [
    "Service social international, Genève",
    "Lettre du 14 mars 1962",
    "Objet : recherche de la famille de Madeleine Brunner",
    "La mère, Rosa Brunner, habitait à Lausanne.",
    "Dossier 62-0417, transmis au bureau de Marseille.",
]
LETTER_ES = [
    "Servicio Social Internacional, Madrid",
    "Carta del 2 de junio de 1971",
    "Asunto: búsqueda del padre de Joaquín Herrera",
    "El niño vivía con su abuela en Valladolid.",
]
LETTER_EN = [
    "International Social Service, London",
    "Report of 9 September 1958",
    "The child Thomas Whitfield was placed with foster parents.",
    "His mother Ellen Whitfield agreed to the placement.",
]

page(LETTER_FR).save(out / "lettre_1962.png")
page(LETTER_ES).convert("RGB").save(out / "carta_1971.jpg", quality=90)
first = page(LETTER_EN)
second = page(["Second page of the report.", "The placement continued until 1961."])
first.save(out / "report_1958.tif", save_all=True, append_images=[second], compression="tiff_deflate")
# A scanned PDF: an image, no text layer.
page(["Ordonnance du tribunal de Lyon", "Garde confiée à la tante, Odile Marchand."]).convert("RGB").save(out / "ordonnance_scan.pdf", resolution=150)

# A born-digital PDF with a text layer (one page, Helvetica).
def text_pdf(lines):
    content = "BT /F1 14 Tf 72 720 Td 18 TL " + " ".join("(%s) '" % l.replace("(", "\\(").replace(")", "\\)") for l in lines) + " ET"
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    pg = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(content.encode("latin-1"))))
    pdf.pages.append(pg)
    return pdf

text_pdf(["Home study report, Toronto", "The adoptive family of Amina Okafor was visited on 3 May 1999.", "Case reference CA-1999-000311."]).save(out / "home_study_1999.pdf")
enc = text_pdf(["Confidential court order"])
enc.save(out / "encrypted.pdf", encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret", R=6))

def docx(paragraphs):
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", xml)
    return b.getvalue()

def odt(paragraphs):
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>{body}</office:text></office:body></office:document-content>'
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", xml)
    return b.getvalue()

(out / "rapporto_1985.docx").write_bytes(docx(["Rapporto sociale, Milano", "La bambina Giulia Rinaldi vive con la nonna a Bergamo."]))
(out / "relatorio_1990.odt").write_bytes(odt(["Relatório social, Lisboa", "A criança Tiago Ferreira não está com a mãe."]))
(out / "notes_1975.txt").write_bytes("Notes de l'assistante sociale, 1975.\nLe père, Karim Haddad, est reparti à Tunis.\n".encode("cp1252"))
# Bad files: zero bytes, a corrupt image, a wrong extension.
(out / "empty.txt").write_bytes(b"")
png = (out / "lettre_1962.png").read_bytes()
(out / "corrupt.png").write_bytes(png[:400])
(out / "photo.pdf").write_bytes(png)
