"""The social app's only public address: a post's image for a network that fetches it (social/images.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbeat.social.images import image_as_jpeg, image_file_for
from openbeat.social.models import Post


@require_safe
def post_image(request: HttpRequest, token: str) -> HttpResponse:
    """The image a signed, unexpired link names, as JPEG; 404 for anything else (no hint of why)."""
    image_file = image_file_for(token)
    if not image_file:
        raise Http404
    post = Post.objects.filter(image_file=image_file).exclude(state=Post.State.CANCELLED).first()
    if post is None:
        raise Http404
    try:
        content = image_as_jpeg(post.image_file, post.image_mime)
    except (OSError, ValueError) as error:
        raise Http404 from error
    response = HttpResponse(content, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, max-age=3600"
    return response
