"""``/``: the web map's page (its scripts and styles are mounted at ``/assets`` by the app)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, JSONResponse

from ..state import ConfigDep

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(config: ConfigDep) -> Response:
    index = config.web_dir / "index.html"
    if not index.is_file():
        return JSONResponse(status_code=503, content={
            "detail": f"the web map is not built: run `make web` (it writes {config.web_dir}); the API is at /docs",
            "suggestions": [], "problems": []})
    return FileResponse(index, headers={"Cache-Control": "no-cache"})
