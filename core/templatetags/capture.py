"""``{% capture name %}...{% endcapture %}``: render the content once into the variable ``name``.

Lets a base template ask whether a child filled one of its blocks (``{% capture trail %}{% block
trail %}{% endblock %}{% endcapture %}{% if trail %}...``): the blocks inside stay overridable.
The captured HTML is stripped and marked safe (it was escaped while it rendered)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        context[self.name] = mark_safe(self.nodelist.render(context).strip())
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("Usage: {% capture name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(bits[1], nodelist)
