"""The API's documentation page at /api/v1/docs, rendered by the server from the OpenAPI document in the site's own
layout: every operation with its parameters, body fields (type, required, limits) and answers. It replaces
Swagger UI, whose rendered markup fails WCAG 2.1 AA (contrast, controls nested in controls) and needs scripts;
tools read /api/v1/openapi.json."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")


def _type_of(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_of(s, components) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list[{_type_of(schema.get('items', {}), components)}]"
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    kind = str(schema.get("type", "any"))
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _limits(schema: dict[str, Any]) -> str:
    names = {"minLength": "≥ {} chars", "maxLength": "≤ {} chars", "minimum": "≥ {}", "maximum": "≤ {}"}
    found = [text.format(schema[key]) for key, text in names.items() if key in schema]
    for option in schema.get("anyOf", []):
        found += [text.format(option[key]) for key, text in names.items() if key in option]
    return ", ".join(found)


def _fields(ref: str | None, components: dict[str, Any]) -> list[dict[str, Any]]:
    if not ref:
        return []
    schema = components.get(ref.rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    return [
        {"name": name, "type": _type_of(prop, components), "required": name in required, "limits": _limits(prop)}
        for name, prop in schema.get("properties", {}).items()
    ]


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, entries in schema["paths"].items():
        for method in METHODS:
            operation = entries.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            found.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or ["api"])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_of(p.get("schema", {}), components),
                            "limits": _limits(p.get("schema", {})),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _type_of(body, components) if body else "",
                    "fields": _fields(body.get("$ref"), components),
                    "responses": sorted(str(code) for code in operation.get("responses", {})),
                }
            )
    return found


class ServerRenderedDocs(DocsBase):
    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        context = {
            "api_title": schema["info"]["title"],
            "api_description": schema["info"].get("description", ""),
            "openapi_url": self.get_openapi_url(api, kwargs),
            "operations": operations(schema),
        }
        return render(request, "core/api_docs.html", context)
