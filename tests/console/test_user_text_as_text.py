"""The console shows what people typed as text (#12.13): a guard's note or an owner's complaint with
markdown in it cannot load a remote image in a supervisor's browser or show a disguised link."""
import pytest
from markdown_it import MarkdownIt

from console.ui import plain

HOSTILE = [
    "![x](https://evil.example/pixel.png)",
    "[请点此重新登录](https://evil.example/login)",
    "<img src=https://evil.example/a.png>",
    ":red[紧急] **加粗** _斜体_ `代码` # 标题",
    "> 引用\n- 列表\n1. 编号",
    "$x^2$ ~~删除~~ | a | b |",
    "https://evil.example/autolink",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_typed_markdown_renders_as_the_same_plain_text(text):
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(plain(text))
    assert "<img" not in html and "<a " not in html and "<strong" not in html and "<em" not in html
    assert "<h1" not in html and "<blockquote" not in html and "<ul" not in html and "<ol" not in html
    assert "<code" not in html and "<del" not in html and "<table" not in html


def test_plain_text_keeps_every_character_the_person_typed():
    for text in HOSTILE:
        escaped = plain(text)
        assert escaped.replace("\\", "").replace("  \n", "\n") == text.replace("\\", "")


def test_nothing_typed_is_an_empty_string():
    assert plain(None) == "" and plain("") == ""
