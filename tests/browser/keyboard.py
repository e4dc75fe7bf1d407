"""Keyboard-only driving for the accessibility journeys: focus moves with Tab (or Shift+Tab) only,
and each element reached shows a visible focus indicator. Locators only *check* where focus is;
nothing is clicked."""

from __future__ import annotations

HAS_FOCUS = "el => el === document.activeElement"
# An outline (the portal's :focus-visible ring) or a box shadow drawn around the focused element.
SHOWS_FOCUS = """el => {
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ringed = style.boxShadow !== "none";
  const chip = el.closest(".filter-chip");
  const chipOutlined = chip !== null && getComputedStyle(chip).outlineStyle !== "none";
  return outlined || ringed || chipOutlined;
}"""


def tab_to(page, target, *, limit: int = 80, backwards: bool = False):
    """Press Tab until ``target`` has focus (failing after ``limit`` presses), then check that the
    focus is visible."""
    key = "Shift+Tab" if backwards else "Tab"
    target.wait_for()
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate(HAS_FOCUS):
            assert target.evaluate(SHOWS_FOCUS), f"{target} has focus but shows no focus indicator"
            return target
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def tab_and_type(page, target, text: str) -> None:
    """Tab to a field and type into it (Tab selects what a text field holds: typing replaces it)."""
    tab_to(page, target)
    page.keyboard.type(text)


def tab_and_press(page, target, key: str = "Enter") -> None:
    tab_to(page, target)
    page.keyboard.press(key)
