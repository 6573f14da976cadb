from django import template

from ..article_text import version_articles

register = template.Library()


@register.inclusion_tag("public/_measures_articles.html")
def measures_articles(version):
    return {"groups": version_articles(version), "version": version}
