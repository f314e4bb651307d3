"""The OpenAPI document of the JSON API, served at /api/openapi.json (schemathesis and bots read it)."""
from __future__ import annotations

FILTER_SCHEMAS = {                       # a filter's type in the filter table -> its parameter schema
    "date": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
    "year": {"type": "integer", "minimum": 1900, "maximum": 2099},
    "fields": {"type": "string", "enum": ["question", "answer", "title"]},
}


def spec(max_query: int, max_limit: int, max_page: int, filters=()) -> dict:
    """The document; `filters` is the query language's filter table (query.FILTERS): one parameter per key."""
    entry = {"type": "object", "required": ["id", "source", "question", "answer", "turns", "projects", "links"],
             "properties": {
                 "id": {"type": "string"}, "source": {"type": "string"}, "title": {"type": "string"},
                 "date": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
                 "asker": {"type": ["string", "null"]}, "question": {"type": "string"},
                 "answer": {"type": "string"},
                 "turns": {"type": "array", "items": {"type": "object", "properties": {
                     "q": {"type": "string"}, "a": {"type": ["string", "null"]}}}},
                 "projects": {"type": "array", "items": {"type": "string"}},
                 "links": {"type": "array", "items": {"type": "string"}},
                 "community": {"type": ["string", "null"]},
                 "permalink": {"type": "string", "format": "uri"},
                 "score": {"type": ["number", "null"]},
                 "highlights": {"type": "object", "properties": {"question": {"type": "string"},
                                                                  "answer": {"type": "string"}}},
                 "confident": {"type": "boolean"},
                 "confidence": {"type": "number", "minimum": 0, "maximum": 1,
                                "description": "similar: the probability that this (top) thread answers the question"},
                 "matched_terms": {"type": "array", "items": {"type": "string"},
                                   "description": "similar: the question's key words this thread covers"},
                 "unmatched_terms": {"type": "array", "items": {"type": "string"},
                                     "description": "similar: the question's key words this thread lacks"}}}
    def error_response(description):
        return {"description": description, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"error": {"type": "object", "properties": {
                "status": {"type": "integer"}, "code": {"type": ["string", "null"]},
                "message": {"type": "string"}}}}}}}}
    error = error_response("Bad request: the message says what to change")
    missing = error_response("No such entry")
    unavailable = error_response("The index is missing or being rebuilt")
    facet = {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"},
                                                                          "count": {"type": "integer"}}}}

    def q(name, desc, schema=None, required=False):
        return {"name": name, "in": "query", "required": required, "description": desc,
                "schema": schema or {"type": "string"}}

    def ok(schema, desc="OK"):
        return {"description": desc, "content": {"application/json": {"schema": schema}}}

    one_community = q("community", "Only this community's entries (its key, as in community:KEY)")
    search_params = [
        q("q", f"Query (max {max_query} characters): words, \"phrase\", -word, "
               + ", ".join(f"{f.name}:{f.example}" for f in filters), {"type": "string", "maxLength": max_query}),
        *[q(f.name, f.help["en"][:1].upper() + f.help["en"][1:], dict(FILTER_SCHEMAS.get(f.type, {"type": "string"})))
          for f in filters],
        q("sort", "Order", {"type": "string", "enum": ["relevance", "date", "oldest"]}),
        q("page", "Page, from 1", {"type": "integer", "minimum": 1, "maximum": max_page}),
        q("limit", "Hits per page", {"type": "integer", "minimum": 1, "maximum": max_limit}),
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "qa-archive API", "version": "1",
                 "description": "Search the reader Q&A of community weekly posts, and find prior answers."},
        "paths": {
            "/api/search": {"get": {"summary": "Search entries", "parameters": search_params, "responses": {
                "200": ok({"type": "object", "required": ["total", "hits"], "properties": {
                    "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
                    "hits": {"type": "array", "items": entry}, "notes": {"type": "array", "items": {"type": "string"}},
                    "suggestion": {"type": ["string", "null"]},
                    "facets": {"type": "object", "properties": {"projects": facet, "years": facet,
                                                                 "communities": facet}}}}),
                "400": error}}},
            "/api/similar": {
                "get": {"summary": "Prior threads most similar to a new question", "parameters": [
                    q("text", "The new question (up to 20 KB)", required=True),
                    q("limit", "How many", {"type": "integer", "minimum": 1, "maximum": 20}),
                    q("project", "Prefer this project (an unknown one is left out, with a note)")],
                    "responses": {"200": ok({"type": "object", "properties": {
                        "hits": {"type": "array", "items": entry}, "reply_markdown": {"type": "string"},
                        "notes": {"type": "array", "items": {"type": "string"}},
                        "terms": {"type": "array", "items": {"type": "string"}},
                        "threshold": {"type": ["number", "null"],
                                      "description": "a hit is confident when its confidence is at least this"},
                        "semantic": {"type": "boolean", "description": "matched by meaning too (false: by words "
                                     "only, e.g. while the archive's vectors are still being computed)"}}}),
                        "400": error}},
                "post": {"summary": "The same, with a JSON body", "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "object", "required": ["text"], "properties": {
                        "text": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 20},
                        "project": {"type": "string"}}}}}},
                    "responses": {"200": ok({"type": "object"}), "400": error}}},
            "/api/entries/{id}": {"get": {"summary": "One entry", "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": ok(entry), "404": missing}}},
            "/api/projects": {"get": {"summary": "Projects with entry counts", "parameters": [one_community],
                                      "responses": {"200": ok({"type": "object", "properties": {
                                          "projects": {"type": "array", "items": {"type": "object"}}}}),
                                          "404": missing}}},
            "/api/communities": {"get": {"summary": "The communities the archive holds: key, display name, "
                                                    "language, entry count",
                                         "responses": {"200": ok({"type": "object", "properties": {
                                             "communities": {"type": "array", "items": {"type": "object"}}}})}}},
            "/api/stats": {"get": {"summary": "Entries per project, year and community, index facts",
                                   "parameters": [one_community],
                                   "responses": {"200": ok({"type": "object"}), "404": missing}}},
            "/api/health": {"get": {"summary": "Liveness and the published index generation",
                                    "responses": {"200": ok({"type": "object"}), "503": unavailable}}},
        },
    }
