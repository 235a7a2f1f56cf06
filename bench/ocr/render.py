"""Renders pages with known text in French, Spanish and English (PNG, 300 dpi-like size),
and writes the truth next to each page. Usage: render.py OUT_DIR PAGES_PER_LANGUAGE"""
import pathlib, random, sys
from PIL import Image, ImageDraw, ImageFont

SENTENCES = {
    "fr": ["Entretien avec {c} en présence de l'interprète.", "La tante de {c} est prête à l'accueillir à {p}.",
           "Les documents d'état civil manquent encore.", "Le partenaire a confirmé la réception du dossier.",
           "{a} a été vu pour la dernière fois à {p} en 1987.", "Relance prévue dans deux semaines."],
    "es": ["Entrevista con {c} con intérprete.", "La tía de {c} está dispuesta a acogerle en {p}.",
           "Faltan aún documentos de registro civil.", "El socio confirmó la recepción del expediente.",
           "{a} fue visto por última vez en {p} en 1979.", "Seguimiento previsto en dos semanas."],
    "en": ["Interview with {c} with an interpreter.", "The aunt of {c} is ready to take care of the child in {p}.",
           "Civil registration documents are still missing.", "The partner confirmed receipt of the file.",
           "{a} was last seen in {p} in 1991.", "Follow up planned in two weeks."],
}
NAMES = ["Amanuel Tesfay", "Léa Dupont", "Joaquín Herrera", "Salma Haddad", "Thomas Whitfield", "Giulia Rinaldi", "Tiago Ferreira", "Nguyễn Van Minh"]
PLACES = ["Genève", "Valladolid", "Lyon", "Bergamo", "Marseille", "Málaga", "Leeds", "Tunis"]
out = pathlib.Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
n = int(sys.argv[2])
rng = random.Random(2026)
font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 40)
for lang, sentences in SENTENCES.items():
    for i in range(n):
        lines = [rng.choice(sentences).format(c=rng.choice(NAMES), a=rng.choice(NAMES), p=rng.choice(PLACES)) for _ in range(12)]
        img = Image.new("L", (2480, 1400), 255)
        d = ImageDraw.Draw(img)
        for j, line in enumerate(lines):
            d.text((150, 100 + j * 95), line, font=font, fill=0)
        name = f"{lang}_{i:03}"
        img.save(out / f"{name}.png")
        (out / f"{name}.truth").write_text("\n".join(lines), encoding="utf-8")
