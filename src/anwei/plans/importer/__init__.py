"""Import the agency's own plan document (.txt, .odt, .docx) into an outline, and from it a plan."""

from .plan import PlanDocumentError, PlanOutline, parse_plan
from .readers import Document, UnreadableDocument, read_document

__all__ = ["Document", "PlanDocumentError", "PlanOutline", "UnreadableDocument", "parse_plan", "read_document"]
