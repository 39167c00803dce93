from django import template

from pooling.kernel.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """{{ amount_fen|yuan }} -> 1,234.56"""
    return format_yuan(fen)
