"""Markdown to safe HTML: rendered with python-markdown, then sanitised with nh3 (no scripts, no handlers).

python-markdown takes time that grows faster than the text on some inputs (20,000 `[` take it most of a minute) and
recurses on nested lists, so validation renders every page first, in a child process it stops at a time and memory
limit (`render_problems`): the build then renders only pages known to render.
"""

from __future__ import annotations

import multiprocessing
import resource

import markdown
import nh3

RENDER_SECONDS = 10.0  # a page whose markdown takes longer than this to render is refused (the longest shipped: 0.05)
RENDER_MEMORY = 1024**3  # ... or needs more memory (bytes of address space of the process rendering it)
READY = "ready"  # what the rendering process sends first, once its limits are set

ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "lang"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
}


def render_markdown(text: str) -> str:
    """Markdown (with tables, heading ids, definition lists) as sanitised HTML."""
    html = markdown.markdown(text, extensions=["tables", "toc", "def_list", "fenced_code", "attr_list"],
                             output_format="html")
    safe = nh3.clean(html, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")
    return scrollable_tables(safe)


def scrollable_tables(html: str) -> str:
    """Each table inside a region that scrolls sideways and can take keyboard focus, so a wide table never makes the
    page scroll sideways on a phone (added after sanitising: the sanitiser would drop tabindex and role)."""
    parts = html.split("<table>")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        out.append(f'<div class="table-scroll" role="region" tabindex="0" aria-label="Table {n}"><table>'
                   + part.replace("</table>", "</table></div>", 1))
    return "".join(out)


def render_problems(texts: list[str]) -> list[str | None]:
    """For each markdown text, why it cannot be rendered within the limits (RENDER_SECONDS, RENDER_MEMORY, Python's
    recursion limit), or None. They are rendered in turn in a child process, stopped at a text that takes too long
    (a new one takes the texts after it)."""
    results: list[str | None] = [None] * len(texts)
    done = 0
    while done < len(texts):
        done = render_some(texts, done, results)
    return results


def render_some(texts: list[str], start: int, results: list) -> int:
    """Render texts[start:] in one child process, into `results`, until one fails to finish: the next to do."""
    context = multiprocessing.get_context("forkserver")  # as icsite.core.parallel: safe whatever threads are running
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=render_each, args=(texts[start:], send, RENDER_MEMORY), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(60) or receive.recv() != READY:
            raise RuntimeError("the process that renders markdown did not start")
        for index in range(start, len(texts)):
            if not receive.poll(RENDER_SECONDS):
                results[index] = f"rendering its markdown takes more than {RENDER_SECONDS:g} seconds"
                return index + 1
            try:
                results[index] = receive.recv()
            except EOFError:  # the renderer died on this text
                child.join()
                results[index] = f"rendering its markdown stopped the renderer (exit code {child.exitcode})"
                return index + 1
        return len(texts)
    except EOFError:
        raise RuntimeError("the process that renders markdown did not start") from None
    finally:
        child.kill()
        child.join()
        receive.close()


def render_each(texts: list[str], send, memory: int) -> None:
    """In the child: within `memory` bytes, render each text and send None, or why it could not be rendered."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ValueError, OSError):  # a system without this limit: the time limit still holds
        pass
    send.send(READY)
    for text in texts:
        try:
            render_markdown(text)
            send.send(None)
        except RecursionError:
            send.send("its markdown nests too deeply to render (lists, quotes or definitions inside each other)")
        except MemoryError:
            send.send(f"rendering its markdown needs more than {memory // 1024**2:,} MiB of memory")
        except Exception as exc:  # noqa: BLE001 (any failure of the renderer is the page's problem to report)
            send.send(f"its markdown cannot be rendered: {type(exc).__name__}")
