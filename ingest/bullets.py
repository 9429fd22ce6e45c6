"""The characters a list item's bullet is printed with.

Japanese documents print ・ ● ○ ■ □ ◆ ◇ ▶; slides and word processors print the same
shapes from glyphs of their own (◼ ⚫ • ➢ …).  Every rule that reads a bullet takes them
all, so the text stays as printed."""

# solid shapes: also a titled item's bullet (● 侵略的外来種対策, ◼ 目的)
HEAVY = "●■◆◼◾▪⚫"
# hollow shapes
LIGHT = "○□◇◻◽▫⚪◦"
ARROWS = "▶▷►▸▹➢➤"
DOTS = "・•‣∙"
BULLETS = DOTS + HEAVY + LIGHT + ARROWS
