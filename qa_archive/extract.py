"""Posts to Q&A threads, by walking markdown-it-py's token stream.

The post body is parsed once into top-level blocks. Paragraphs are cut into lines (at soft breaks and `<br>`),
because the weekly posts put an answer and its project link line in one paragraph. Each piece is then classified
by what it says (an asker line, a group header, an `A：` answer, a project link line, a quoted question, a section
heading, a list item led by a linked or bold question) and a small state machine turns the pieces into threads.
Nothing here reads the raw text with regexes alone: the regexes only look at the plain text of one line that the
tokens delimit.

The conventions (README, "Conventions the extractor knows"): a Q&A section starts at a heading such as 问答, 答疑,
Q&A, FAQ or "Readers' questions"; its items are asker lines (`@name 提问`, `**@name**`, `1. @handle #123`)
followed by a quoted or plain question, `Q:` / `问：` / `Question:` lines, headings that are questions, or list
items whose link or bold text is the question and whose rest is the answer. An answer starts at `A：`, `答：`,
`回答：`, `Answer:`, a bold speaker label (`**Maintainer**：`), the rest of a linked-question item, or the text
after a question heading. A source's profile (profiles.py) adds patterns for what these cannot guess.
"""
from __future__ import annotations

import hashlib
import pickle
import re
from collections import Counter, OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html import escape as html_escape
from html import unescape as html_unescape
from itertools import takewhile

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .models import Post, Thread, Turn, thread_id
from .profiles import DEFAULT, Profile
from .projects import Registry

_md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
# A URL made only of characters that percent-encoding keeps comes out of markdown-it's normalisation unchanged (checked
# on every link of both corpora); skipping the parse-and-format round trip for it saves a tenth of a post's reading.
PLAIN_URL = re.compile(r"[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]*")
_normalize_link = _md.normalizeLink
_md.normalizeLink = lambda url: url if PLAIN_URL.fullmatch(url) else _normalize_link(url)
# Inline text with none of the characters an inline rule of this parser starts at (escape, code, emphasis, links,
# images, autolinks, HTML, entities, strikethrough, line breaks) is one text token; making it directly skips
# markdown-it's character-by-character scan of half the text of a typical post.
MARKUP_CHAR = re.compile(r"[\\`*_\[\]!<>&~\n]|\s$")


def _inline_rule(state):
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        if MARKUP_CHAR.search(token.content) is None:
            text = Token("text", "", 0)
            text.content = token.content
            token.children.append(text)
        else:
            state.md.inline.parse(token.content, state.md, state.env, token.children)


_md.core.ruler.at("inline", _inline_rule)

NUM = r"(?:\d{1,3}\s*(?:[、)）]|[.．,，](?!\d|[xX](?![A-Za-z])))\s*)"      # (not `2.x`, `3.0`: a version)
NUMBER_LEAD = re.compile(rf"^\s*{NUM}")
SHOW_TIME = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s+)?"       # `[31:50] `, where in the show it was asked
SHOW_LEAD = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s+[—–-]\s+)?"    # `- 27:40 — Listener question from Sam: …`
# what separates a label from its text: `Q:`, `问：`, `Question::` (a docs site's), `Q — ` (a dash)
SEP = r"(?:[:：]{1,2}|\s[—–]\s)"
LIST_MARKER = r"(?:[-*+]|\d{1,3}[.)])"                 # a Markdown list item's bullet or number
ORDINAL_ZH = r"第\s*[\d一二三四五六七八九十]{1,3}\s*(?:问|题|个问题)"   # `第 1 问`, `第三题`: the Nth question
LETTER_ORDINAL = r"(?:第\s*[一二三四五六七八九十\d]{1,3}\s*封\s*[，,、：:]?\s*)"   # `第一封，`: the Nth letter
# who asked, said by their role or where they asked (`网友`, `观众`, `B 站用户`): not part of their name
ROLE = r"(?:来自)?\s*(?:[A-Za-z]\s*站)?\s*(?:线上|线下|现场|场外|在线|直播间|海外|国外|国内|企业|社区)?(?:用户|网友|群友|读者|观众|听众|粉丝|社区用户|社区成员|论坛用户|开发者|同学|小伙伴|弹幕)"
# the labels of a question and of an answer
READER_ASKS = r"(?:读者|网友|粉丝|用户|听众|观众)问"
LISTENER = r"(?:(?:Listener|Reader|Viewer|Audience|Caller|Chat|Forum|Discord|Slack|Stream)\s+)"
ASK_WORDS = (rf"(?:Q\s*\d{{0,2}}|问|提问|问题\s*(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})?|{LISTENER}?Question\s*\d{{0,2}}"
             rf"(?:\s*[(（]\s*(?:no\s+name|anonymous|unnamed|name\s+withheld)[^()（）\n]{{0,20}}[)）])?|"
             rf"{READER_ASKS})")
# a forum's accepted answer (`✅ **Solution**`, `Marked answer`, `最佳答案`); a bare `Solution` or `解决方案` only
# with who gave it (`ANSWER_BY`)
ACCEPTED = r"(?:[✅✔☑✓]\s*)?(?:Solution|(?:Accepted|Marked|Best)\s+answer|Answered|解决方案|最佳答案|采纳的?(?:答案|回答))"
ANSWER_WORDS = (r"(?:A\s*\d{0,2}|答|回答|回复|解答|答复|(?:The\s+|Our\s+|My\s+)?Answer|(?:Our\s+|My\s+)?Reply|Our\s+response|Editor['’]s\s+(?:reply|answer|response)|Fix|小编答|编辑答|(?:[✅✔☑✓]\s*)?Solution|"
                r"(?:Accepted|Marked|Best)\s+(?:as\s+(?:the\s+)?)?answer(?:\s*[,，(（]\s*(?:summari[sz]ed|paraphrased|abridged|in\s+short)[)）]?)?|最佳答案)")
# `**1、@name** 提问：`, `@name 提问：`, `**1.@handle** #914`, optionally with the question on the same line (and a
# Reddit user, `u/name on Reddit:`)
ASKER_AT = re.compile(rf"^\s*{NUM}?(?:@\s*|u/(?=\w))(?P<name>[^\s@#：:，,、（(]{{1,40}})\s*(?:[（(][^()（）\n]{{1,40}}[)）])?"   # (`（GitHub Issue #6721）`: where)
                      rf"\s*(?:的)?\s*(?:提问|问题|问道|问)?\s*(?:#\s*\d+)?\s*"
                      rf"(?:提问)?\s*[:：]?\s*(?P<rest>.*)$")
# `**1、@John Deng** 提问：`: a name with spaces, when 提问 or an issue number ends the line
ASKER_AT_SPACED = re.compile(rf"^\s*{NUM}?@\s*(?P<name>[^\s@#：:，,。][^@#：:，,。·•|｜]{{0,39}}?)\s*"
                             rf"(?:提问\s*[:：]?\s*$|提问\s*[:：]\s*(?P<rest>\S.*)$|#\s*\d+\s*$"
                             r"|(?<=\S)\s(?:asks|asked|writes|wrote)\s*[:：]\s*$)")   # (`@Kevin Tang asks:`, `@Jason Lee 提问：…`)
# `**1. 清源** 提问：`, `**钱小满** 问：` (no @: the word 提问, or 问 and its colon, is required and nothing may
# follow it; not `追问：`, `再问：`, `请问：`)
ASKER_NAMED = re.compile(rf"^\s*{NUM}?(?P<name>[^\s@#：:，,。]{{1,30}})\s*(?:提问\s*[:：]?|(?<![追再又请着续])问\s*[:：])\s*$")
# `**2.Ann Lee & 赵宇** 提问：`: names with spaces, only when the line starts in bold
ASKER_SPACED = re.compile(rf"^\s*{NUM}?(?P<name>[^@#：:，,。]{{1,30}}?)\s*提问\s*[:：]?\s*$")
# `提问者：王五`, `Asked by: Lily Chen`: a label naming the asker
# (a forum's byline too: `Started by marisol_k in #help · 14 replies`, where and how many after the name; and
# `提问者：刘畅，某电商公司后端工程师`, who they are after a comma)
ASKER_LABEL = re.compile(rf"^\s*{NUM}?{SHOW_LEAD}(?:提问者|提问人|提问用户|报告者|报告人|来自\s*(?:{ROLE})?(?=\s*@)|Asked\s+by|(?-i:Started|Posted|Opened)\s+by|Asker|(?-i:From)(?=\s*[:：])|"
                         rf"{LISTENER}?Question\s+from)"
                         rf"\s*[:：]{{0,2}}\s*@?\s*(?P<name>[^\s@#：:，,。？?](?:(?!\.\s)[^@#：:，,。？?·•|]){{0,59}}?)\s*"
                         rf"(?:(?:[:：]|\.(?=\s+(?!(?-i:in|on|at|via)\s)\S))\s*(?P<rest>.*)|\.?\s+(?:in|on)\s+[#\w][^.。!?]*[.。]?|\s*[·•|].*|[，,]\s*[^:：?？]{{1,80}}"
                         rf"|\s*[（(][^()（）\n]{{1,40}}[)）])?$", re.I)     # (`提问人：@mint-z（Issue #2210）`)
# `来自 @林深 的提问：`, `网友 @阿北 提问：…`: a few words before the @name, then the verb
ASKER_PREFIXED = re.compile(rf"^\s*{NUM}?[\u4e00-\u9fff]{{1,6}}\s*@\s*(?P<name>[^\s@#：:，,]{{1,40}}?)\s*"
                            rf"(?:的\s*(?:[两三四五六几\d]+\s*个)?\s*(?:提问|问题)|的?\s*(?:提问|问道|问))\s*[:：]?\s*(?P<rest>.*)$")
# `**Maria asks:** …`, `**Jonas K. asked:**` (bold-led, no @): an English asker line
# (also a show's recap: `[31:50] Priya from Pune wrote in: "…"`, `Gus asked on Mastodon: …`)
ASKER_EN = re.compile(rf"^\s*{SHOW_TIME}{NUM}?(?P<name>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){{0,2}}"
                      r"|(?:An?|One|Another) (?:user|reader|listener|viewer|member|developer|community member))"
                      r"(?:,?\s+(?:from|in)\s+(?:the\s+)?[A-Z][\w.'’-]*(?: [\w.'’-]+){0,2},?)?"     # (`Dana Whitcombe, in Leeds, asks:`)
                      r"(?:\s*[（(][^()（）\n]{1,30}[)）])?"                              # (`Zoe Marchand (Corvane) asks:`)
                      r"(?:\s+@[\w.-]+:[\w.-]+)?"                                        # (`Kai Lindgren @kai:fernweh.chat wrote:`)
                      r"\s+(?:asks|asked|wonders|wondered|writes|wrote|sent\s+(?:this|us\s+this|in))"
                      r"(?:\s+in|\s+on\s+[\w.-]{2,20}|\s+from\s+[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2})?"   # (`writes from Aberystwyth:`)
                      r"\s*[:：]\s*(?P<rest>.*)$")
# `**林间小鹿** 问：Table 组件…？`: a name in bold, then 问 / 提问 and the question on the same line
ASKER_BOLD_ASKS = re.compile(rf"^\s*{NUM}?(?P<name>[^\s@#：:，,。？?]{{1,30}}?(?: [A-Za-z][\w.-]{{0,20}})?)\s*(?:提问|(?<![追再又请着续])问)\s*[:：]\s*"
                             r"(?P<rest>\S.*)$")      # (not `**追问：** …`: the asker again, whom 追 does not name)
# `Marcus Webb asks:` on a line of its own (the question below): an asker line without bold too
ASKS_ALONE = re.compile(r"\s(?:asks|asked|wonders|wondered|writes|wrote|sent\s+(?:this|us\s+this|in))"
                        r"(?:\s+from\s+[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2})?\s*[:：]\s*$")
# `Ana Ruiz asked: "We need to …?"`: the question quoted on the asker's line
ASKS_QUOTING = re.compile(r"\s(?:asks|asked|wonders|wondered|writes|wrote)\s*[:：]\s*[\"“]")
# `Q (from @lee): …`, `问（@张三）：…`: a question label naming its asker
ASKER_QLABEL = re.compile(rf"^\s*{NUM}?(?:Q\s*\d{{0,2}}|(?:弹幕|观众|读者|网友|听众|现场)?(?:问|提问)|Question)\s*[（(]\s*(?:(?:comment|reply|follow-?up)\s+)?(?:from|by|asked\s+by|来自)?\s*"
                          rf"(?:[^()（）@:：]{{1,30}}(?:[,，]\s*|\s+)(?=@))?@?\s*"    # (`Q (online, @gustavo_wasm):`,
                                                                               # `问（弹幕 @x）：`: where, then who)
                          rf"(?P<name>[^()（）@:：]{{1,60}}?)\s*[)）]\s*(?:[:：]\s*(?P<rest>.*)|$)", re.I)   # (`**Question** (asked by @x in #help)` alone)
# `… without restarting? (asked by @lin)`, `…能改吗？（来自 @阿杰）`: the asker named after the question
ASKER_TRAILING = re.compile(rf"\s*[（(]\s*(?:(?:asked\s+by|from|via|提问者?|来自|{ROLE})\s*[:：]?\s*"
                            r"(?:[^，,()（）@:：]{1,20}[，,]\s*(?=@))?|(?=@))@?\s*(?P<name>[^()（）@:：\s][^()（）@:：]{0,59}?)\s*[)）]\s*$", re.I)
# `…? (asked anonymously via the feedback form)`, `（匿名）`: said after the question that nobody is named
ANON_TRAILING = re.compile(r"\s*[（(]\s*(?:(?:asked|sent|submitted)\s+anonymously\b[^()（）]{0,40}|anonymous(?:ly)?|匿名(?:提问)?)\s*[)）]\s*$"
                           r"|\n[ \t>]*[—–]{1,2}[ \t]*(?:(?:asked|sent|submitted)[ \t]+)?(?:anonymous(?:ly)?|匿名)\b[^\n]*$",
                           re.I)     # (or signed so below it: `— asked anonymously via the feedback form`)
# `…有没有办法让 A 直接失败？——@阿北`: who asked, after a dash at the question's end
DASH_TRAILING = re.compile(r"(?<=[?？])\s*[—–]{1,2}\s*(?:(?i:asked|submitted|sent\s+in)\s+by\s+(?!@)(?P<handle>[a-z\d][\w.-]{1,29}(?<!\.)(?=\s*$))|"
                           r"(?:来自\s*|(?i:asked|submitted|sent\s+in)\s+by\s+)?(?:@(?P<name>[^\s@()（）]{1,30})|"
                           r"(?P<plain>[A-Z][\w'’-]*\.?(?:\s[A-Z][\w'’-]*\.?){0,2})))"
                           r"(?:,?\s+(?:from|in)\s+[A-Z][\w'’-]*(?:\s[A-Z][\w'’-]*){0,2})?"     # (`— Olu from Ibadan`: where)
                           r"\s*(?:[（(][^()（）]{1,20}[)）])?\s*$")
# who asked, signed after a labelled question's mark: `— Joaquín`, `[— 李想]`, `(by Mei)`
SIGNED_AFTER_MARK = re.compile(r"[?？]\s*(?:\[\s*(?:[—–]|by\s|from\s)\s*([^\[\]]{1,40}?)\s*\]|[（(]\s*(?:by|from)\s+([^()（）]{1,40}?)\s*[)）]"
                               r"|[—–]{1,2}\s*((?:@|(?-i:[A-Z]))[^—–?？]{0,40}?)"
                               r"|[（(]\s*([^()（）,，]{1,30}[,，]\s*(?:via|on|in|from|at)\s+[^()（）]{1,30}?)\s*[)）]"   # (`(Carmen, via email)`)
                               r"|[（(]\s*((?:some(?:one|body)|an?\s+(?:listener|reader|viewer|user))\s+(?:in|on|via|from)\s+[^()（）]{1,30}?)\s*[)）])"
                               r"\s*$", re.I)                             # (`(someone in the YouTube comments)`: nobody)
# `Q：回查间隔怎么配置？A：设置 …`: the answer label right after the question mark, on the same line; or
# `Q. …? (Ingrid, via email) A. …`, who asked between the two (`who`; then `A.` labels too)
INLINE_ANSWER = re.compile(r"(?P<mark>[?？](?:[^?？\n]{1,60}?[。！])?)\s*(?P<who>[（(][^()（）]{1,60}[)）])?\s*(?:\*\*|__)?\s*(?:A\s*\d{0,2}|答|回答|解答|Answer)\s*"
                           r"(?:[:：]|(?(who)\.(?=\s)|(?!)))\s*(?:\*\*|__)?\s*(?=\S)", re.I)
# a heading that only says "the answer": what follows it answers the question above
ANSWER_HEADING = re.compile(r"(?:A\s*\d{0,2}|答|回答|解答|答复|回复|Answer|Reply)\s*[:：]?", re.I)
# `#### 问` / `### Q` over the question's paragraph, `#### 追问` / `### Follow-up` over the asker's next one: a label
# heading with nothing else on it, in a Q&A section, over prose and then an answer's label heading at its own level
# (`#### 答` is ANSWER_HEADING; `_label_pair`): a `### Question` over a list of questions titles a section
QUESTION_HEADING = re.compile(r"(?:Q\s*\d{0,2}|问|问题|提问|Question)\s*[:：]?", re.I)
FOLLOW_UP_HEADING = re.compile(r"(?:追问|再问|补充提问|Follow[- ]?up(?:\s+question)?)\s*[:：]?", re.I)
# `### Q (follow-up): If one of the two is down…?` under an answered `### Q:`: the asker's next question, on the heading
FOLLOW_UP_Q_HEADING = re.compile(r"^\s*(?:Q|问|Question)\s*[（(]\s*(?:follow-?up|追问|再问|again)\s*[)）]\s*[:：]\s*(?P<rest>\S.*)$",
                                 re.I)
# `[Why …?](url) — asked by @rhea. Symlinks are …`: the asker named where the answer starts
ASKED_BY_LEAD = re.compile(r"^\s*(?:—{1,2}|―|--|-|–)?\s*[（(]?\s*asked\s+(?:by\s+[*_]{0,2}@?(?!(?:a|an|the|one)\s)"
                           r"(?P<name>(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*){1,2}(?=[*_]{0,2}(?:\s+(?:on|in|at|via)\s|\s*[.,;:)）·•|｜]|[ \t]*(?:\n|$)))"
                           r"|[^\s.,;:()（）*_]{1,30}(?:[_.][^\s.,;:()（）*_]+)*)[*_]{0,2}|anonymously)"   # (`@ferris_fan`)
                           r"(?:\s+(?:on|in|at|via|through)\s+[^.。()（）\n]{1,40})?\s*[)）]?"
                           r"\s*[.,;:。，；：]?\s*", re.I)     # (`Asked by *Rohan Mehta* on the forum.`, `Asked anonymously via …`)
# what follows `Asked by x` on its line: ` · Solution by y` (who answered; the answer is below)
CREDIT_AFTER_ASKER = re.compile(r"^\s*[·•|｜]\s*(?:[✅✔☑✓]\s*)?(?:solution|solved|(?:accepted\s+|marked\s+)?answer(?:ed)?|reply|replied)"
                                r"\s+by\s+[^\n]*(?:\n|$)", re.I)
# a digest's metadata line, `·`-separated, that names who asked: `Score 14 · asked by mapnerd42 · tags`
META_ASKED = re.compile(r"^[^\n·]{0,30}·\s*asked\s+by\s+@?(?P<name>[^\s·\n][^·\n]{0,40}?)\s*(?:·[^\n]*)?(?:\n|$)", re.I)
# `— @keturah, via GitHub`, `— anonymous, via the feedback form`: a line that signs what is above it
DASH_SIGNED = re.compile(r"^\s*[—–]{1,2}\s*@?[^\s—–][^\n]{0,60}$")
# after a label, only who asks or answers: `Q1：读者「山竹不酸」提问`, `匿名读者提问`; `A：核心开发者 @许砚 回答`
WHO_ASKS = re.compile(rf"(?P<name>(?:{ROLE})?\s*「[^「」]{{1,20}}」|(?:匿名|未署名)?{ROLE}|@[^\s@:：，,]{{1,30}})\s*(?:的)?(?:提问|问)")
# `Q1：来自 @杜若 的提问`, `Q2：一位社区同学提问`, `Q3：某证券公司的用户提问`: the label says who asked (or that
# somebody did), and the question is below it
LABEL_NAMES_ASKER = re.compile(r"(?:来自\s*)?(?:@(?P<name>[^\s@:：，,]{1,30})|(?:一位|某位?|有位|一名)[^\s@:：，,。？?]{0,12}?"
                               r"(?:同学|用户|读者|朋友|开发者|网友|工程师))\s*的?\s*(?:提问|问题)")
WHO_FROM = re.compile(r"(?i:from|by|asked\s+by)\s+(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})")
WHO_ANSWERS = re.compile(r"[^\n:：?？。]{0,24}?@?[^\s@:：?？。]{1,20}\s*(?:回答|答复|回复|解答)")
# `*Asked by Priya N.*`, `— asked by @tomk on Mastodon`: a byline that names who asked
ASKED_BY = re.compile(r"^\s*(?:[—–-]{1,2}\s*)?(?:originally\s+)?(?:asked|submitted|sent\s+in)\s+(?:by\s+\S|in\s|on\s)"
                      r"|^\s*(?:added|taken|adapted)\s+from\s+(?:a|the)\s+(?:forum\s+|github\s+)?(?:thread|discussion|question|issue|post)"
                      r"\s+(?:started|opened|asked|posted)\s+by\s+\S",
                      re.I)      # (and where: `Originally asked in #988 (…) · answered by @hanne-v`; `Added from a forum
                                 # thread started by Noor Haddad.`)
THREAD_BY = re.compile(r"\s(?:started|opened|asked|posted)\s+by\s+@?(?P<name>[^.,;()\n]{1,40}?)\s*[.。]?\s*$", re.I)
# `**Reader question:** …`: a label that says "a question", not who asked it
QUESTION_LABEL = re.compile(r"(?:(?:reader|user|community|listener|audience|member|forum|viewer)['’]?s?\s+)?"
                            r"question(?:\s+of\s+the\s+(?:week|month))?|(?:读者|用户|社区|网友|群友|听众)(?:提问|问题)", re.I)
# `> … Is there a retry setting?` / `> — asked by Tomasz`: a quoted question signed on its last line
QUOTE_ATTRIBUTION = re.compile(r"\n(?:[ \t]*>)*[ \t]*(?:—{1,2}|―|--|-)[ \t]*(?:asked[ \t]+by[ \t]+|from[ \t]+|来自[ \t]*)?"
                               r"@?(?P<name>[^\s@—―\-][^\n@,，]{0,29}?)(?:[ \t]*[,，][^\n]{1,70})?[ \t]*$", re.I)
                               # (`— Tomás Ferreira, platform team at a logistics company`: who, then what they do)
# `(asked by u/nilpointer_ on r/golang)`: the name, without the platform's prefix or where it was asked
ASKER_WHERE = re.compile(r"^(?:u/|@)|\s+(?:on|in|at|via|from)\s+.*$", re.I)


# after a question heading: `[@jmarsh]`, `— Ibrahim K.` (who asked), `(#3318)` (the issue it is)
HEADING_ASKER = re.compile(r"\s*(?:\[@?(?P<bracket>[^\[\]\s]{1,30})\]|[—–]{1,2}\s*(?P<dash>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}|@\S{1,30}))"
                           r"(?:\s*(?:提问|的提问|问))?\s*$")        # (`… — @数据小白 提问`: who asked, and the verb)
# before a listed question: `[@mo_sec] Does … ?` (who asked; an @ handle, so `[WIP]` or `[Bug]` is no asker)
LEAD_HANDLE = re.compile(r"^\s*\[@(?P<name>[^\[\]\s]{1,30})\]\s*(?=\S)")
LEAD_HANDLE_MD = re.compile(r"\[@[^\[\]\s]{1,30}\]\s*")
ISSUE_REF = re.compile(r"\s*[（(]?#\d{1,6}[)）]?\s*$")
# after a question heading, in brackets: `(asked by Tamsin Greaves)`, `(asked by @x@server.social)`, `（@Bella）`
# (a handle alone), `(asked anonymously)`
HEADING_PAREN_ASKER = re.compile(r"\s*[（(]\s*(?:(?:asked\s+)?by\s+|from\s+|来自\s*|(?=@[^\s()（）@,，]{1,30}\s*(?:提问|问)?\s*[)）]))(?P<name>@?[^()（）\s][^()（）]{0,59}?)\s*[)）]\s*$"
                                 r"|\s*[（(]\s*(?:asked\s+)?anonymously\s*[)）]\s*$", re.I)
QUOTES = "\"“”「」『』"


# who asked, leading a question heading: `@陈默：…？`, `匿名读者：…？`
HEADING_LEAD_ASKER = re.compile(rf"^\s*(?P<name>@[^\s@:：]{{1,30}}|(?:匿名|一位)?{ROLE}|匿名读者)\s*[:：]\s*(?=\S)")


def heading_question(text: str) -> tuple[str, str | None]:
    """(the question, who asked) of a heading: `"How should I …?" — Ibrahim K.`, `Why …? [@jmarsh]`,
    `Do I need …? (#3318)`; the text itself (and None) for any other heading."""
    m = HEADING_ASKER.search(text)
    who = _name(m.group("bracket") or m.group("dash")) if m else None
    if m is None and (m := HEADING_PAREN_ASKER.search(text)):
        who = _name(m.group("name")) if m.group("name") and not ANONYMOUS.fullmatch(m.group("name")) else None
    q = ISSUE_REF.sub("", text[:m.start()] if m else text).strip()
    q = re.sub(r"^#\d{1,6}\s+", "", q)               # `#1442 能否支持昇腾 NPU？`: the issue, then the question
    q = q[1:-1].strip() if len(q) > 2 and q[0] in QUOTES and q[-1] in QUOTES else q
    return (q, who) if QUESTION_END.search(q) else (text, None)


# a line led by a bold link: `**[Can Driftwood …?](…)** — @bergamot` (the attribution after the bold)
BOLD_LINK = re.compile(r"^\s*(?:\*\*|__)\[[^\]]+\]\([^)\s]+\)(?:\*\*|__)")
# after a linked question's title: `— asked by a reader on Matrix`, `— from @x` (who asked, or nobody named)
LEAD_SIGN_OFF = re.compile(r"^\s*[—–]{1,2}\s*(?P<name>@[\w.\-]{1,30}|(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*){0,2})"
                           r"(?:\s*[,，]\s*[^\n]{0,40}|\s*(?:提问|的提问|问))?[ \t]*\n")    # `— Jonas, via email`, `— @x 提问`
                                                                            # on its own line
ASKED_BY_TAIL = re.compile(r"\s*[—–]{1,2}\s*(?:asked\s+by|from)\s+(?P<who>[^—–]{1,60})$", re.I)


def linked_question(text: str, link: str | None = None) -> tuple[str, str | None, str] | None:
    """(the question, who asked, the answer's start) of a line led by a linked question (`link`, its Markdown
    text): `Can Driftwood …? — @bergamot`, `Does …? — asked by a reader on Matrix`, `Can I …? (from Priyanka Rao)`,
    `Why …? (answered by Oskar Lind)` (who answered is no part of the answer), `How do I …? Ruth Adebayo points out
    that` (the answer starts on the line). None when the link does not ask."""
    shown = re.sub(r"[*_`]", "", link or "").strip()
    if link is not None and not (shown and text.startswith(shown) and QUESTION_END.search(shown)):
        return None
    rest = text[len(shown):].strip() if shown else ""
    m = ASKED_BY_TAIL.search(text)
    if m and (not shown or m.start() >= len(shown) - 1):
        who = m.group("who").strip()
        handle = re.match(r"@(?P<name>[^\s@]{1,30})", who)
        name = _name(handle.group("name")) if handle else (
            None if ANONYMOUS.search(who) or re.match(r"(?:a|an|one)\s", who, re.I) else _name(who))
        q = text[:m.start()].strip()
        return (q, name, "") if QUESTION_END.search(q) else None
    if shown and rest:
        if (said := ASKED_PAREN.fullmatch(rest)) is not None:
            return shown, _name(said.group("name").lstrip("@")), ""
        if ANSWERED_BY.fullmatch(rest):
            return shown, None, ""
        if (tail := HEADING_ASKER.fullmatch(rest)) is not None:         # `[Why …?](…) [@jmarsh]`, `… — Ibrahim K.`
            return shown, _name(tail.group("bracket") or tail.group("dash")), ""
        return shown, None, rest
    q, who = heading_question(text)
    return (q, who, "") if QUESTION_END.search(q) else None


# a line led by a link (bold or not): `[Why …?][q1] …`, `**[Can …?](…)** — @x`
LEAD_LINK = re.compile(r"^\s*(?:\*\*|__)?\[(?P<text>[^\[\]]+)\](?:\([^)\s]+(?:\s+\"[^\"]*\")?\)|\[[^\[\]]*\])(?:\*\*|__)?\s*")
# after a linked question: `(from Priyanka Rao)`, `(asked by @lin)`, `（来自 @阿杰）`
ASKED_PAREN = re.compile(r"[（(]\s*(?:(?:asked\s+)?by|from|via|来自)\s*(?P<name>@?[^()（）@]{1,40}?)\s*[)）]", re.I)


# a show's notes: `49:30 — Priya (Lisbon): "…?"`, `53:10 — from an email signed "Tired SRE": "…"`
TIMED_ASK = re.compile(r"^\s*[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s+[—–-]\s+(?P<who>[^:：\"“]{1,60}?(?:\"[^\"]{1,30}\"|“[^”]{1,30}”)?)"
                       r"\s*[:：]\s*(?P<rest>\S.*)$")


def timed_asker(who: str) -> str | None:
    """Who asked, from a show's timestamped line: `Priya (Lisbon)` (where from is no part of the name), `from an
    email signed "Tired SRE"`, `Listener question from Sam`; None for `voicemail, no name left`."""
    signed = re.search(r"[\"“](?P<name>[^\"”]{1,30})[\"”]", who)
    if signed:
        return _name(signed.group("name"))
    who = re.sub(r"\s*[（(][^()（）]{1,30}[)）]\s*$", "", who).strip()
    who = re.sub(r"^(?:(?:listener|viewer|caller|reader)\s+)?(?:question\s+)?(?:from|by)\s+", "", who, flags=re.I)
    if not who or ANONYMOUS.search(who) or re.search(r"\bno name\b|voicemail|unnamed|未留名", who, re.I):
        return None
    return _name(who) if _plausible_name(who) and len(who.split()) <= 3 else None


# `**Why does the order of my extractors matter? I get "…" when I put `Json` first.**`: a bold line that asks first
# and then says more is a question too
ASKS_FIRST = re.compile(r"^\s*[^.!。！?？\n]{6,200}[?？](?=\s+\S)")
# the same where no space follows a full-width mark (`**…吗？我们测下来要 30 秒。**`): read so only where the line
# names who asked, since a bold `为什么…？因为…` inside an answer asks nothing
ASKS_FIRST_NAMED = re.compile(r"^\s*[^.!。！?？\n]{6,200}(?:\?(?=\s+\S)|？(?=\s*\S))")


def ends_question(text: str) -> bool:
    """A question mark ends the text, or ends it before an attribution (`…? (asked by @lin)`)."""
    return bool(QUESTION_END.search(ASKER_TRAILING.sub("", ANON_TRAILING.sub("", text))))


# `用户 **Vinc** 提问：`, `网友 Lisa 提问：…`: who asked named by their role, without @
ASKED_FROM = re.compile(r"^\s*(?:提问来自|问题来自|提问来源|问题来源)\s*[:：]\s*(?:.*?@(?P<name>[\w.\-\u4e00-\u9fff]{1,30})\s*)?[^@]*$")
# a byline under a question: `— asked by Lena Fischer (Northwind Logistics)`, `— asked anonymously through the form`,
# `— submitted by gannet_ops`, `*Sent in by Farah Iqbal*`
DASH_ASKED = re.compile(r"^\s*(?:[—–]{1,2}\s*)?(?:asked|submitted|sent\s+in)\s+(?:by\s+@?(?P<name>[^()（）\s][^()（）]{0,40}?)(?:\s*[（(][^()（）]{1,40}[)）])?"
                        r"(?:\s+(?:on|in|at|via)\s+[^()（）]{1,40})?|anonymously\b.*)\s*[.。]?\s*$", re.I)
# `这个问题来自 @海盐 在 issue #1520 中的提问。`, `（本题来自 @x）`: who asked, said under (or after) the question
QUESTION_FROM = re.compile(rf"^\s*[（(]?\s*(?:这个|该|本|此)?(?:问题|题目?|条)(?:来自|整理自|摘自)\s*(?:{ROLE})?\s*@(?P<name>[^\s，,。)）@]{{1,30}})"
                           r"(?:\s*(?:在|于)[^。()（）]{0,30}?(?:的)?(?:提问|提出))?\s*[。.!！]?\s*[)）]?\s*$")
# `观众「阿杰」：…？`, `网友 Lisa：…？`, `观众（@阿飞）：…？` in a transcript: a speaker named by role and name, asking (a
# handle in brackets: `观众（线上）`, `读者（追问）` say where or how, not who)
ASKER_ROLE_SAID = re.compile(rf"^\s*{NUM}?{ROLE}\s*(?:「(?P<name>[^「」]{{1,20}})」|[（(]\s*@(?P<name2>[^\s：:，,。？?()（）@]{{1,20}})\s*[)）]"
                             r"|@?(?P<plain>[^\s：:，,。？?「」()（）]{1,20}))"
                             rf"\s*[:：]\s*(?P<rest>\S.*[?？])\s*$")
ASKER_ROLE = re.compile(rf"^\s*{NUM}?{ROLE}\s*@?\s*(?!提问|问\s*[:：])"      # (`群友提问：…` names nobody)
                        rf"(?P<name>[^\s@#：:，,。？?]{{1,30}}(?: [A-Za-z][\w.-]{{0,20}})?)\s*(?:的)?\s*(?:提问|问(?=\s*[:：]))\s*[:：]?\s*(?P<rest>.*)$")
# who asks again, before a follow-up's word: `@小雨`, `Marcus`, `小蜗牛 ` (a space before 追问/补充提问), `群友「阿杰」`
FOLLOW_UP_WHO = (rf"(?:@\s*(?P<name>[^\s@#：:，,]{{1,40}}?)\s*|[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){{0,2}}\s*[,，]?\s*|"
                 rf"[^\s@#：:，,。？?]{{1,12}}\s+(?=[再追继又接补])|{ROLE}\s*「[^「」]{{1,20}}」\s*)?")
FOLLOW_UP_WORDS = (r"(?:(?:继续|接着|再)?追问|继续问|又问|接着问|再问|补充(?:提问|问题)|follows?\s+up|followed\s+up|follow-up"
                   r"|asked\s+again|wrote\s+back|update\s+from\s+the\s+(?:asker|reader|questioner|op)"
                   r"|(?:and\s+)?(?:a\s+)?(?:second|another|one\s+more)\s+question\s+from\s+the\s+same\s+(?:reader|person|asker|user|writer))")
# `@小雨 追问：…`, `追问：…`, `Follow-up: …`: the asker's next question in the same thread
FOLLOW_UP = re.compile(rf"^\s*{FOLLOW_UP_WHO}(?P<paren>[（(]\s*)?{FOLLOW_UP_WORDS}\s*(?(paren)[)）]\s*)"
                       r"(?:(?:in|on|via)\s+(?:the\s+)?[\w#-]{1,20}\s*)?"     # (`Ayesha followed up in chat:`)
                       r"(?:道|(?:from|by)\s+(?:the\s+same\s+[\w-]{2,20}|@?[^\s:：]{1,30}))?\s*"   # (`Follow-up from the same team:`)
                       r"(?:[（(][^()（）\n]{1,40}[)）]\s*)?[:：]\s*"
                       r"(?P<rest>\S.*)$", re.I)     # (also `再问（@sunny_w）：…`, `**Arjun, follow-up:** …`, `@x (follow-up): …`)
# `**Follow-up** — *Aurelio again*`, `**追问** —— 阿杰`: the label, signed, on a line of its own
FOLLOW_UP_SIGNED = re.compile(r"^\s*(?:follow-?up|追问)\s*[—–]{1,2}\s*[^:：?？\n]{1,40}$", re.I)
# `*Follow-up from u/quiet_compiler*` alone over the next `**Q:**` (no colon: it titles what follows)
FOLLOW_UP_FROM = re.compile(r"^\s*follow[- ]?up\s+(?:from|by)\s+@?[^\s:：]{1,30}(?:\s+(?:on|via)\s+\w+)?\s*[:：]?\s*$", re.I)
# who a follow-up line names: `王小二 追问：`, `**@阿蒙** 追问：`, `Marcus followed up:`
FOLLOWER = re.compile(rf"^\s*@?\s*(?P<name>[^\s@#：:，,。？?（(]{{1,30}}?(?: (?-i:[A-Z])[\w.'’-]*){{0,2}})\s*[,，]?\s*[（(]?\s*"
                      rf"(?:{FOLLOW_UP_WORDS}|补充)", re.I)
# `Marcus followed up:`, `**@阿蒙** 追问：` on a line of its own: the asker's next question follows
FOLLOW_UP_ALONE = re.compile(rf"^\s*{FOLLOW_UP_WHO}[（(]?\s*{FOLLOW_UP_WORDS}(?:(?<=back)\s+[^:：\n]{{1,30}})?"
                             r"(?:\s+(?:with|from|by)(?:\s+@?[^\s:：]{1,30})?)?\s*[)）]?\s*[:：]\s*$", re.I)   # (`@x (follow-up):`)
# a question that cannot stand alone, asked right after an answer: `那 Redis 7 的 Functions 呢？`, `And what about …?`
ELLIPTIC = re.compile(r"^\s*(?:那(?:么|如果|要是)?(?![个些样里])|and\s+(?:if|what|how|is|does|can)\b|what\s+about\b|how\s+about\b|"
                      r"[^?？\n]{0,120}?[,，]\s*then\s*[?？])", re.I)      # (`Can it be set per user, then?`)
# `官方回复：…`, `维护者 回答：…`, `顾晨 答：…`: who answers, then the verb (a question waits for its answer)
NAMED_ANSWER = re.compile(r"^\s*@?[^\s:：，,。？?!！@#*]{1,12}(?:\s+@?[^\s:：，,。？?!！@#*]{1,30})?\s*(?:回复|回答|答复|解答|答)(?:摘要|要点)?"
                          r"\s*[:：]\s*")     # (`维护者 @sun-mingyu 回复摘要：…`)
# bold labels that are parts of a question (`**环境**：…`, `**问题**：…`), never the one answering
QUESTION_PART = re.compile(r"^(?:问题|问题描述|描述|背景|环境|运行环境|版本|现象|报错|错误|日志|场景|配置|代码|补充|补充说明|"
                           r"复现步骤|步骤|期望|预期|目的|需求|疑问|question|problem|background|environment|context|"
                           r"version|steps?|expected|error|details?|setup)$", re.I)
# `**3、提问：**`: an item without an asker
ASKER_NONE = re.compile(rf"^\s*{NUM}?(?:(?:提问|问题|Q|{READER_ASKS})\s*{SEP}|Q\s*\d{{1,2}}\s*[.．]?)\s*$"
                        # `A forum user who didn't leave a name asks:`, the question below: somebody, not named
                        r"|^\s*(?i:a|an|one|another|anonymous|someone|somebody)\s+(?:[^\s:：]+\s+){0,10}?(?:asks|asked|writes|wrote)\s*[:：]\s*$"
                        # `**后台留言：**`, `匿名读者提问：` over the question: a channel or nobody, not a name
                        r"|^\s*(?:后台|读者|评论区)?留言\s*[:：]\s*$|^\s*匿名(?:读者|用户|网友|群友)?(?:提问|问)?\s*[:：]\s*$")
# `Q: …`, `问：…`, `Question: …`, `Q2：…`: an item without an asker whose question starts on the same line
QLINE = re.compile(rf"^\s*{NUM}?{SHOW_LEAD}(?:{ASK_WORDS}\s*{SEP}|Q\d{{1,2}}\s*[.．、｜|]|Q\.(?=\s)|"
                   rf"Q\d{{1,2}}(?=\s))\s*(?P<rest>\S.*)$", re.I)
# `**2、关于 SOFARegistry 的几个问题：**`: several askers (or several Q/A pairs) under one topic
GROUP = re.compile(rf"^\s*{NUM}?关于\s*(?P<topic>.+?)\s*(?:的)?\s*(?:几个|一些|相关|常见)?\s*(?:问题|提问|问答)(?:回答|解答)?\s*[:：]?\s*$"
                   rf"|^\s*{NUM}?(?:(?:some|several|more)\s+)?questions\s+(?:about|on)\s+(?P<topic3>[^:：]{{2,60}}?)\s*[:：]?\s*$", re.I)
ANSWER = re.compile(rf"^\s*{ANSWER_WORDS}\s*{SEP}\s*", re.I)
ANSWER_MD = re.compile(rf"^\s*(?:(\*\*|__)\s*{ANSWER_WORDS}\s*{SEP}\s*\1|{ANSWER_WORDS}\s*{SEP})\s*", re.I)
# a line led by bold text, after a show's timestamp if any (`[31:50] **Priya** …`): an asker line, not prose
BOLD_LED = re.compile(rf"^\s*{SHOW_TIME}{NUM}?(?:\*\*|__)")   # (`3. **某券商用户** 问：…` too)
# `Dev's answer: …`: whose answer it is, then the label
ANSWER_OF = re.compile(r"^\s*[A-Z][\w.-]{0,20}(?:'s|’s)\s+(?:answer|reply|take)\s*[:：]\s*", re.I)
# `Answer (by @maintainer): …`, `✅ Solution (from ben, staff): …`, `Marked answer by @mb: …`: an answer label that
# names who answers
ANSWER_BY = re.compile(rf"^\s*(?:[✅✔☑✓]\s*)?(?:{ANSWER_WORDS}|{ACCEPTED})\s*"
                       r"(?:[（(]\s*(?:by|from|来自)?\s*@?\s*[^()（）:：]{1,30}[)）]|[,，]?\s+(?:by|from)\s+@?[^()（）:：\s][^()（）:：]{0,29}"
                       r"(?:\s*[（(][^()（）:：]{0,20}[)）])?)\s*(?:[:：]\s*|$)", re.I)     # (`… by @ilse_dev (core team):`;
                       # `✔ **Answered by @dmitri-v** (maintainer)` alone over the answer)
# `*Amir:* Record everything …`: a speaker label in italics (a show's notes), after a question
SPEAKER_EM = re.compile(r"^\s*([*_])(?P<name>[^*_\n:：\[\]`]{1,30}?)\s*[:：]\s*\1\s*")
# `- 44:30 — Picks of the week`: the next chapter of a show's timestamps
CHAPTER = re.compile(rf"^\s*{SHOW_LEAD}(?<=\s)\S")
# `: Yes. In your Gemfile …` under `Can I pin a plugin? *(Tomasz)*`: a definition list's definition (kramdown)
DEFINITION = re.compile(r"^\s*:[ \t]+(?=\S)")
# a definition list's term after a question label, `Q — 陈思远`, `Q — 刘工（追问）`: who asks (again)
DEFINED_TERM = re.compile(r"(?P<name>[^\s?？:：,，。()（）]{1,20}(?: [A-Z][\w.'’-]*){0,2})\s*"
                          r"(?P<again>[（(]\s*(?:追问|再问|follow-?up|again)\s*[)）])?", re.I)
# `…a released version? *(Tomasz K.)*`: a name alone in parentheses after the question mark
QUESTION_THEN_NAME = re.compile(r"[?？]\s*(?:[（(]\s*(?:by\s+|from\s+|[—–]\s*)?(?P<name>[^()（）:：?？@\s][^()（）:：?？@]{0,39}?)\s*[)）]"
                                r"|\[\s*(?:by\s+|from\s+|[—–]\s*)(?P<name2>[^\[\]:：?？@\s][^\[\]:：?？@]{0,39}?)\s*\])\s*$")
# (`(by Mei)`, `[— Oluwaseun]`: who asked, in brackets after the question mark)


# `…怎么保留？提问者：@晚风`: who asked, signed after the question's last sentence in the same paragraph
SIGNED_TAIL = re.compile(r"(?<=[。？?！!.])\s*(?:提问者|提问人|提问用户|asked\s+by)\s*[:：]?\s*@?[^\s，,。]{1,30}\s*$", re.I)


def _cut_after_mark(md: str) -> str:
    """A question's Markdown up to its last question mark: the name signed after it (`(by Mei)`, `*(Oskar)*`,
    `[— 李想]`, `— <em>Joaquín</em>`) is who asked, not the question."""
    i = max(md.rfind("?"), md.rfind("？"))
    return md[:i + 1] if i >= 0 else md


def _bracketed_name(m: re.Match) -> str:
    """The name a QUESTION_THEN_NAME match found, in round or in square brackets."""
    return m.group("name") or m.group("name2")

# a mailing list: `> On Tue, 10 Mar 2026 at 09:14, Priya Natarajan <priya@…> wrote:` over the quoted question,
# `Jonas Weber replied:` over the answer, and a signature (`--` over a name) after it
WROTE = re.compile(r"^\s*(?:On\s.{3,80}?,|在.{3,40}?[，,])\s*(?P<name>[^,，<>\n@]{1,40}?)\s*(?:<?[\w.+-]+@[\w.-]+>?)?\s*"
                   r"(?:wrote|写道)\s*[:：]\s*(?:\n|$)", re.I)
REPLIED = re.compile(r"^\s*(?:[^\w\s@*_]{1,3}\s*)?(?P<name>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}|[^\s:：，,。？?]{1,12}|@[\w.\-]{1,30})\s*"
                     r"(?:[（(][^()（）]{1,30}[)）]\s*)?"        # (`@ilse (maintainer) replied:`)
                     r"(?:replied|answered|responded|wrote back|added|adds|回复道|回复说|答道|补充道|补充)\s*[:：]?\s*$")
# (`💬 **@rhea-okonjo** replied`: a chat's or a forum's marker, and no colon)
# `**@hannah-k answered:** It shouldn't …`: who answers, and the answer on the same line
REPLIED_ON_LINE = re.compile(r"^\s*@[\w.\-]{1,30}\s*(?:[（(][^()（）]{1,30}[)）]\s*)?(?:replied|answered|responded)\s*[:：]\s*\S")
SIGNATURE = re.compile(r"^\s*--\s*$")
# `核心维护者 @林间 补充：…`, `Marco added: …` under an answer: someone else's answer goes on
ADDED = re.compile(r"^\s*[^:：\n]{0,24}?(?:补充(?:道|说)?|(?:added|adds)(?:\s+(?:in|on|to)\s+the\s+(?:thread|comments|discussion|replies))?)\s*(?:[（(][^()（）]{0,30}[)）])?\s*[:：]\s*(?=\S)", re.I)
# `Ibrahim writes: "We have one …"`, `Pedro asks: can I …?`: who is quoted or asks, before what they wrote
NAME_WRITES = re.compile(r"^\s*(?P<name>[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2})\s+(?:asks|asked|wonders|writes|wrote)\s*[:：,]\s*")
# `用户 tianyu_w 在邮件列表中问到：…`, `群友阿杰问：…` after a question label: who asks (a role or where), then the question
NAME_ASKS_ZH = re.compile(rf"^\s*(?:{ROLE}\s*@?(?P<name>[^\s@：:，,。？?]{{1,20}}?)\s*(?:在[^：:，,。？?]{{1,15}}?)?|"
                          rf"@?(?P<name2>[^\s@：:，,。？?]{{1,20}}?)\s*在[^：:，,。？?]{{1,15}}?)(?:问到|问道|提问|问)\s*[:：]\s*(?=\S)")
# a line wholly in italics (`*From the kubernetes-sig-storage mailing list*`)
ITALIC_LINE = re.compile(r"([*_])(?![*_\s])[^\n]{2,160}[*_]")
# `(Rohan, via the call chat)`, `（来自读者「小陈」）`: who asked, before the question
LEAD_ATTRIBUTION = re.compile(r"^\s*[（(]\s*(?:from|by|来自|(?:提问者|提问人)\s*[:：])?\s*(?P<name>@?[^,，()（）@]{1,30}?)\s*"
                              r"(?:(?:[,，]\s*|(?=追问|再问))(?P<more>[^()（）]{0,40}))?[)）]\s*")   # (`（王珂追问）`)
# `（该问题来自社区表单，提问人未留名）`, `(asked anonymously)` under a question: nobody named
ANON_NOTE = re.compile(r"^\s*[（(][^()（）\n]{0,40}(?:未留名|匿名|未署名|不愿透露姓名|anonymous(?:ly)?|name\s+withheld)[^()（）\n]{0,20}[)）]\s*$",
                       re.I)
# `*(Priya Raman, user@)*` on a line of its own under a question: who asked, and where
ATTRIBUTION_LINE = re.compile(LEAD_ATTRIBUTION.pattern + "$")
# `（本题由社区用户 @阿木 提问，感谢！）`, `(Thanks to @lin for the question.)`: who asked, credited after the answer
ASKER_CREDIT = re.compile(rf"^\s*[（(]?\s*(?:(?:本题|此题|该问题|这个问题|问题)由\s*(?:{ROLE})?\s*@?(?P<name>[^\s，,。)）@]{{1,30}})\s*(?:提问|提出)"
                          r"|thanks\s+to\s+@?(?P<name2>[^\s,.)]{1,30}(?:\s+[A-Z][\w'’-]*){0,2})\s+for\s+"
                          r"(?:(?:the|this)\s+question|(?:raising|asking|bringing\s+up|reporting)\s+(?:this|it|the\s+question)))", re.I)
# `— answered by Tomasz Wilk (PMC)`, `（回答者：@李明轩）` after an answer
ANSWERED_BY_LINE = re.compile(r"^\s*(?:[—–-]{1,2}\s*)?[（(]?\s*(?:answered|replied)\s+by\s+.{1,60}$|^\s*(?:[—–-]{1,2}\s*)?[（(]?\s*(?:回答者|答疑人|解答人)\s*[:：]"
                              r"|^\s*[—–]{1,2}\s*[^\n?？]{1,30}?\s*(?:解答|回答|答复|作答)\s*[。.]?\s*$",    # (`—— 维护者 陈立 解答`)
                              re.I)
# `> reported by @hanna-lund` under an issue's title
BYLINE = re.compile(r"^\s*(?:reported|asked|posted|opened|filed|submitted)\s+by\s+@?(?P<name>[\w.-]{1,30})\s*$", re.I)
# an advice column: `Dear Hilde,` over a reader's letter, signed `— Sleepless in Staging`, answered `Dear Sleepless, …`
SALUTATION = re.compile(r"(?:Dear|亲爱的)\s*[^\s,，:：][^,，:：]{0,29}[,，:：!！]?")
SALUTATION_LEAD = re.compile(r"^\s*Dear\s+[A-Z][^,，:：]{0,29}[,，:：]\s*|^\s*亲爱的[^,，:：]{1,20}[,，:：]\s*")
SIGN_OFF = re.compile(r"^\s*(?:—{1,2}|―|–|--)\s*(?P<name>@[\w.\-]{1,30}|[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)+(?=\s*(?:[,，]|$))|"
                      r"[^\s—–-](?:[^,，。.!?？！\n]|(?<=\b[A-Z])\.){0,39}?)\s*"
                      r"(?:[,，]\s*[^,，。!?？！\n]{1,30})?$")     # (`— Priya, Bengaluru`: where they wrote from)
# who runs a transcript (`**Moderator (Lise):**`, `**主持人**：`): their words are neither question nor answer
HOST = re.compile(r"(?:moderator|host|mc|主持人|主持)\s*(?:[（(][^()（）]{0,20}[)）])?", re.I)
# a chat's thread replies: `↳ *@oren (maintainer):* …` under `*@dana.k:* …?`
REPLY_MARK = re.compile(r"^\s*[↳└↪→]")
# `↳ **kmorrow** (Driftwood creator)` alone on a line: who replies, the reply quoted below
REPLY_BY = re.compile(r"^\s*[↳└↪→]+\s*@?(?P<name>[\w.\-]{2,30})\s*(?:[（(][^()（）]{0,40}[)）])?\s*[:：]?\s*$")
# a forum's or a thread's commenter on a line of their own: `**jvandermeer** (312 points)`
HANDLE_LINE = re.compile(r"^\s*(?:(?:u/|@)?(?P<name>[\w.\-]{2,30})|\[deleted\])\s*(?:[（(][^()（）]{1,30}[)）])?"
                         r"\s*(?:[·•|]\s*[▲△⬆↑🔼]?\s*[\d,.]+[kK]?(?:\s+(?:points?|votes?|upvotes?))?)?\s*$")
# (also `**u/owl_at_noon** · ▲ 412`: a Reddit thread's)


REPLY = re.compile(r"^\s*[↳└↪→]\s*@?(?P<name>[^\s:：()（）@][^:：()（）@]{0,39}?)\s*(?:[（(][^()（）]{0,30}[)）])?\s*[:：]\s*"
                   r"(?P<rest>\S.*)$")
# `(No replies yet. If you have numbers, please share them!)`: the question is open, and not a thread
UNANSWERED = re.compile(r"^\s*[↳└↪→]?\s*[（(]?\s*(?:no (?:replies|answers?|responses?|conclusion) yet|unanswered|暂无(?:回复|回答)|"
                        r"还没有人?(?:回复|回答)|(?:[^。，,.]{0,8}[，,]\s*)?(?:暂无|尚无|没有)结论)", re.I)
# a forum thread quoted floor by floor: `**1 楼 · 楼主 风吹麦浪**：…`, `**3 楼 · 版主 @陈砚（官方）**：…`; the first floor
# (or 楼主, the one who posted) asks, the others answer
FLOOR = re.compile(r"^\s*(?P<n>\d{1,4})\s*(?:楼|F|#)\s*[·•|｜:：-]?\s*(?P<role>楼主|题主|版主|管理员|官方|热心网友|网友)?\s*@?"
                   r"(?P<name>[^\s:：（()）@][^:：（()）@]{0,29}?)?\s*(?:[（(][^()（）]{0,20}[)）])?\s*[:：]\s*(?P<rest>\S.*)$")
ME_TOO = re.compile(r"^\s*(?:同问|同求|\+1|顶|mark|我也(?:是|一样|遇到)|同样的问题|same here|"
                    r"学到了|学习了|涨知识|收藏了|码住|good to know|TIL\b)", re.I)    # (and a bystander's "learned something")
# `**群友「小鱼干」**` alone on a line: who asks below, by role and name
ROLE_NAME_ALONE = re.compile(rf"^\s*{ROLE}\s*「(?P<name>[^「」]{{1,20}})」\s*[:：]?\s*$")
# a heading that is all one link: in a Q&A section, the linked question's title, asking or not
LINKED_HEADING = re.compile(r"#{1,6}\s*(?:\d{1,2}[.、)）]\s*)?(?:(?:Issue|PR|Discussion|讨论)?\s*#\d{1,7}\s*[:：|｜·—–-]?\s*)?"    # (`Issue #8812：[…](…)`, `3. […](…)`)
                            r"\[[^\[\]]+\]\([^()\s]+\)\s*#*\s*", re.I)
# `Issue #1287 · 提问者：@mlops-lee`: an item's header, the asker named after a middle dot
META_ASKER = re.compile(r"^[^\n·•|｜:：]{1,60}?\s*[·•|｜]\s*(?:提问者|提问人|asker|asked\s+by|(?:thread\s+)?(?:started|posted|opened)\s+by)\s*[:：]?\s*@?"
                        r"(?P<name>[^\s·•|｜@][^·•|｜\n]{0,40}?)\s*(?:[·•|｜][^\n]*)?$", re.I)
# `> 来自 某电商公司的 SRE 团队` under a question: somebody, described, not named (its `name` is empty: nobody)
FROM_SOMEBODY_ZH = re.compile(r"^\s*来自\s*(?:一位|某)[^\n：:？?@]{1,30}?\s*(?P<name>)$")
# `**#1452 ｜ SOFARPC ｜ @hongyu-dev**`: an issue's header, fields between bars, the last who asked
FIELDS_ASKER = re.compile(r"^[^\n·•|｜@]{1,40}?(?:\s*[·•|｜]\s*[^\n·•|｜@]{1,40}?){0,3}\s*[·•|｜]\s*@(?P<name>[^\s@·•|｜]{1,30})\s*$")
# `来自 @zhou-yh 的问题：`, `来自一位匿名用户的提问：`: whose question follows
QUESTION_OF = re.compile(r"^\s*(?:这是)?来自\s*@?(?P<name>[^\s：:@，,。（(]{1,20}?)\s*(?:[（(][^()（）]{1,30}[)）])?\s*的(?:问题|提问)"
                         r"\s*(?:[:：]\s*(?P<rest>.*)|$)")     # (`#### 来自 Ray（某电商搜索团队）的提问` over the question)
# `提问：青柠 · 织梦用户 2 群` under a question: a name, then where they asked (no question of its own)
ASKER_BYLINE = re.compile(r"(?P<name>[^\s?？。，,·]{1,20}(?: [A-Za-z][\w.-]{0,15})?)(?:\s*[·•|｜]\s*[^?？。]{1,30})?")
# `> 以下内容整理自「…交流群」…`, `Below is an edited excerpt …`: the editors introduce what follows, asking nothing
SECTION_INTRO = re.compile(r"^\s*(?:以下(?:内容|问答|问题|对话|讨论)?(?:整理|摘录|摘|选|节选)自|(?:本期|本周|本节|本栏目?)(?:内容|问答)?(?:整理|摘录)自|"
                           r"(?:below|here)\s+is\s+an?\s+(?:lightly\s+)?(?:edited\s+)?(?:excerpt|transcript|summary)\b|"
                           r"the\s+following\s+(?:is|was|are)\s+(?:lightly\s+)?(?:edited|excerpted|taken|adapted)\b)", re.I)
# `**Maintainer**：…`, `**Nebula:** …`: a bold speaker label that starts an answer
SPEAKER_MD = re.compile(r"^\s*(\*\*|__)(?P<name>(?:(?!\1)[^*\n:：\[\]`]){1,30}?)\s*(?P<c>[:：])?\s*\1\s*"   # (`**mossy_dev**:`)
                        r"(?:[（(][^()（）:：\n]{1,12}[)）]\s*)?(?(c)|[:：])\s*")     # (`**@linxi**（旁听）：`)
CODE_LED = re.compile(r"^\s*(?:\*\*|__)?`")
# `「SOFARegistry」：url`, `SOFAJRaft：url`, `MOSN:url`, `→ twctl: url` (an arrow pointing at a repository)
LINK_LINE = re.compile(r"^\s*(?P<arrow>[→➡👉▶►]\s*)?(?P<open>「)?\s*(?P<label>[^「」：:\n]{1,40}?)\s*(?(open)」(?:[^\s「」：:]{1,8}[:：]|\s*[:：]?)|[:：])\s*"
                       r"(?P<url>https?://\S+)\s*$")
QA_HEADING = re.compile(r"问答|答疑|问与答|每(?:周|期|日|月)一问|一问一答|热门讨论|热门问题|热门提问|(?:精选|群聊)讨论|讨论精选|留言精选|精选留言|问题与解答|你问我答|有问必答|(?:读者|听众|观众|用户|网友)来信|信箱|issue\s*(?:精选|解答|答疑|回复)|精选\s*issue|"
                        r"常见问题|疑难解答|问题解答|stack\s*exchange|stack\s*overflow|frequently\s+asked|"
                        r"(?:读者|用户|社区|网友|群友|听众|观众)提问|提问(?:精选|汇总|集锦)|(?:用户|社区|读者)?问题(?:精选|汇总|集锦|整理)|(?:群聊|社群|交流群|微信群|钉钉群|用户群)(?:精选|摘录|问答|精华|答疑)|QA|mailbag|\bmailbox\b|postbag|(?<![A-Za-z])(?:Q\s*&\s*A|Q\s+and\s+A|FAQs?|AMA)(?![A-Za-z])"
                        r"|(?:精选|已解答|已回答)\s*Discussions?|^\s*lightning\s+round(?:\s+(?:questions|Q\s*&\s*A))?\s*$|(?<![A-Za-z])(?:reader|listener|user)s?['’]?\s+mail\b|Discussions?\s*(?:精选|问答)|^\s*you\s+asked\b|^\s*ask\s+(?!(?:for|about|yourself|questions)\b)[\w@]|已解决|文字实录|(?<![\w.])(?:user|users|dev)@|mailing[- ]lists?|邮件列表|(?:自由|现场|观众|互动)提问|提问环节|(?<![A-Za-z])(?:questions?|answered|(?:quick|short)\s+answers|solved|letters|transcript|ask\s+(?:the|us|me))(?![A-Za-z])"
                        r"|(?<![\w-])#?help(?:\s+channel)?\s+(?:highlights|recap|roundup|threads|digest)\b"
                        r"|\bhelp\s*desk\b|\b(?:troubleshooting|how-?to)\s+(?:corner|clinic|desk)\b"
                        r"|^\s*dear\s+\w|\bsupport\s+(?:queue|inbox|desk|corner|roundup|mailbag)\b|\bbest\s+of\s+#"
                        r"|\b(?:best\s+of|from|around)\s+(?:the\s+)?(?:forums?|discussions|mailing\s+list)\b|\bforum\s+(?:highlights|roundup|digest|picks|threads)\b"
                        r"|\b(?:top|popular|hot|trending)\s+(?:forum\s+|community\s+)?(?:threads|topics)\b"
                        r"|\boffice\s+hours\b(?=[^\n]{0,40}\b(?:recap|notes|highlights|digest|roundup|transcript|log|questions)\b)|^\s*office\s+hours\s*$"
                        r"|^\s*(?:(?:from|in)\s+)?#(?:[\w]+-)?(?:help|questions?|support|q-?and-?a|ask|troubleshooting)(?:-[\w-]+)?\s*$", re.I)   # (a chat stream)
REPLY_SUBJECT = re.compile(r"^\s*(?:Re|回复|答复)\s*[:：]\s*\S", re.I)    # a mail thread's subject, answered
NOT_QA_HEADING = re.compile(r"\b(?:open|unanswered|outstanding)\s+questions?\b"
                            # `Five questions for Yuki Tanabe, creator of Marrow`: a counted set put to a guest (an interview)
                            r"|\b(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|a\s+few)\s+questions\s+(?:for|with|to)\b", re.I)
# `## 还有问题？`, `## Still have questions?`: where to ask next, not a question
MORE_QUESTIONS = re.compile(r"^\s*(?:还有|其他|更多|仍有|还有其他)(?:问题|疑问)\s*[?？]\s*$|"
                            r"^\s*(?:still\s+)?(?:have|got|any)\s+(?:more\s+|other\s+|further\s+)?questions?\s*[?？]\s*$", re.I)
# a heading or bold line that is itself a question
QUESTION_END = re.compile(r"[?？]\s*$")
# a heading or title that asks: it ends with a question mark, or with a sentence after one (`可以为中文单独设置字体吗？
# 我想英文用 JetBrains Mono。`)
TITLE_ASKS = re.compile(r"[?？]\s*(?:[^?？\s][^?？]*[。.!！]\s*)?$")

DEFAULT_TAG_REFS = [re.compile(r"^(?:topic|tag|project)s?\s+(?P<tag>.+)$", re.I)]   # `[taproot][topic taproot]`


def is_qa_heading(text: str, profile: Profile = DEFAULT) -> bool:
    """`每周读者问答提炼`, `本周 QA`, `Selected Q&A from …`, `Readers' questions`; not the tagline
    `筛选每周精华问答，同步开源进展`."""
    text = text.strip()
    if any(r.search(text) for r in profile.extra("section")):
        return True
    head = re.split(r"[:：|｜]", text)[0].strip()      # `本周问答：大家关心的问题，一次说清`: its name, then a subtitle
    return any(0 < len(t) <= 60 and "，" not in t and bool(QA_HEADING.search(t)) and not NOT_QA_HEADING.search(t)
               and not QUESTION_END.search(t) for t in dict.fromkeys([text, head]))


BR = re.compile(r"<br\s*/?>", re.I)
SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.I | re.S)
DEFINITION_PAIR = re.compile(r"<dt\b[^>]*>(.*?)</dt\s*>\s*<dd\b[^>]*>(.*?)</dd\s*>", re.I | re.S)
# the editors' own sections, which end a Q&A section whatever follows them
EDITORIAL = re.compile(r"推荐阅读|相关阅读|延伸阅读|往期回顾|相关推荐|本周发布|版本发布|版本进展|新版本|版本更新|更新日志|发布说明|"
                       r"(?:本周|本期|每周)话题|话题讨论|"
                       r"社区活动|活动预告|活动推荐|活动回顾|近期活动|下期预告|贡献者|本周贡献|访谈|专访|采访|"
                       r"(?<![A-Za-z])(?:further reading|recommended reading|releases?|release notes|changelog|events?|"
                       r"topic of the (?:week|month)|discussion of the (?:week|month)|interviews?|"
                       r"news|what's new|notable (?:code )?changes|contributors?)(?![A-Za-z])", re.I)
QUESTIONISH = re.compile(r"问题|提问|问答|答疑|疑问|(?<![A-Za-z])(?:questions?|Q\s*&\s*A|FAQs?)(?![A-Za-z])", re.I)


# a docs page's changelog sections (`## Updated`, `## Removed`), named by the change alone
CHANGE_SECTION = re.compile(r"(?:updated|removed|changed|moved|deprecated|修改|删除|更新)(?:\s+(?:entries|this\s+month|questions))?", re.I)


# `Upgrade FAQ`, `Upgrade notes (FAQ)`, `升级常见问题`: the editors' answers to what they expect people to wonder,
# unless the section says people asked (`我们在 Discussions 里收到了不少关于升级的问题`)
RELEASE_FAQ = re.compile(r"(?:upgrad\w*|migrat\w*|release|升级|迁移)[^\n]{0,20}(?:FAQs?\b|常见问题)|"
                         r"(?:FAQs?|常见问题)[^\n]{0,6}(?:upgrad|migrat|升级|迁移)", re.I)
FAQ_WORD = re.compile(r"(?<![A-Za-z])FAQs?(?![A-Za-z])|常见问题", re.I)
ASKED_CUE = re.compile(r"收到|问到|提问|问了|留言|\basked\b|\byou\s+(?:sent|wrote|asked)\b|\bwe\s+(?:got|received)\b|"
                       r"\bcame\s+up\b|\bquestions?\s+(?:from|in|on)\s", re.I)


def _anticipated(parts: list[Piece], n: int) -> bool:
    """A release's FAQ (RELEASE_FAQ) whose first words, or the post's before its first heading, say nothing of
    anybody asking (`we collected the questions that came up most during the upgrade as a quick-fire FAQ`): the
    editors' own."""
    if not RELEASE_FAQ.search(parts[n].text):
        return False
    after = parts[n + 1] if n + 1 < len(parts) else None
    if after is not None and after.kind in ("line", "block") and ASKED_CUE.search(after.text):
        return False
    intro = takewhile(lambda p: p.kind != "heading", parts)
    return not any(p.kind in ("line", "block") and ASKED_CUE.search(p.text) and FAQ_WORD.search(p.text)
                   for p in intro)


def _editorial(text: str) -> bool:
    """An editors' own section (`版本发布`, `Releases`), not one about questions (`新版本相关问题`), nor a question
    that happens to name one (`Can I track events from a single-page app?`, `有没有镜像？GitHub Releases 太慢了。`; a
    section's name is short, or leads: `本周话题：你怎么看…？`)."""
    return bool(CHANGE_SECTION.fullmatch(text.strip())) or (bool(EDITORIAL.search(text)) and not QUESTIONISH.search(text)
            and not (TITLE_ASKS.search(text) and len(text) > 25 and not EDITORIAL.match(text.strip())))


# the editor's last word to readers at the end of a Q&A section
READER_NOTE = re.compile(r"^\s*(?:(?:[—–-]{1,2}\s*)?以上(?:问题|内容|回答|答案|问答)?(?:就是|为|由|均|是)|(?:[—–-]{1,2}\s*)?以上(?:问题|内容)|"
                         r"(?:[—–-]{1,2}\s*)?(?:本期|本周|本月)(?:问答|内容)?(?:整理|编辑|校对)\s*[:：]|(?:[—–-]{1,2}\s*)?(?:本期|本周|本月)(?:问答|内容)由[^。\n]{1,40}整理|(?:更多|其他|如有|有)(?:其他|更多|任何)?(?:问题|疑问)[^。]{0,6}(?:欢迎|可以|请)|"
                         r"欢迎(?:大家)?(?:继续|在|到|加入|留言|扫码|关注)|(?:have|got) (?:a|more|any|other) questions?|"
                         r"send (?:us )?your questions|[^。，,\n]{0,8}就(?:先)?到这(?:里|儿)|that['’]s all|that['’]s (?:it|the (?:mailbag|postbag|q&a|questions|letters|mail)) for\b|that (?:wraps|rounds) up (?:the|this|our)\b|want (?:your|to ask a) question|want (?:your question )?(?:to be )?featured\b|transcript ends here|next office hours\b|questions for the next (?:issue|edition|newsletter)\b|if you have a question\b|stuck on (?:something|anything)\b|keep (?:the |your )?(?:questions|letters|mail|emails|them|those|'em) coming\b|thanks for (?:all )?(?:the |your )?(?:questions|letters|mail)\b|thanks to (?:everyone|all of you|all) who (?:answered|asked|wrote|sent|helped)\b|"
                         # the newsletter's goodbye under the last answer, a short line of its own (`See you in
                         # October, when 1.4 should be out.`), not an answer that opens with the words (`See you at
                         # KubeCon: Wei presents …`, `Stay tuned: the 1.5 release adds it …`, `下一期版本会…`)
                         r"see you (?:all )?(?:next|in|on|then|soon|again|at)\b[^\n]{0,45}$|"
                         r"until next (?:time|week|month|issue|edition)\s*[.!]*\s*$|"
                         r"next (?:issue|edition|newsletter)\b|next (?:week|month)\s*[:：]|stay tuned\s*[.!]*\s*$|thanks for reading\b|"
                         r"(?:as always, )?(?:corrections|better answers)\b[^\n]{0,60}\bwelcome\b[^\n]{0,60}\b(?:digest|newsletter|issue)\b|"
                         r"下(?:期|周|个?月|次)(?:再)?见|下一期(?:将|会是|是|见|再见)|感谢(?:您的|大家的)?阅读|感谢(?:本期|本周|本月))", re.I)
EDITOR_NOTE = re.compile(r"^\s*[（(]?\s*(?:editor['’]?s['’]?\s+note|ed\.\s+note|a\s+note\s+from\s+the\s+editors?|"
                         r"编者注|编者按|编辑注|小编注)\s*[:：]", re.I)
EDITOR_POINTER = re.compile(r"^\s*(?:[^\w\s]{1,2}\s*)?(相关阅读|推荐阅读|延伸阅读|相关推荐|往期回顾|相关文档|参考文档|相关链接)\s*[:：]")
QUOTE_PREFIX = re.compile(r"^[ \t]{0,3}> ?")
STRAY_STARS = re.compile(r"(^|\s)\*+|\*+(\s|$)")     # emphasis markers CommonMark left as text
UNRESOLVED_REF = re.compile(r"\[([^\[\]]+)\](?:\n[ \t]*)?\[([^\[\]]*)\]")    # `[BIP-Schnorr][]` whose definition is elsewhere
KRAMDOWN_IAL = re.compile(r"\{:[^{}\n]*\}")                   # `{:.center}`: Kramdown attributes, not text
HTML_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)\b[^<>]*?/?\s*>")
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# what browsers show as markup, not text; any other tag (`<flag>true</flag>`, `<dependency>`) is the post's text
HTML_ELEMENTS = frozenset("""a abbr article aside b big blockquote br center cite code col colgroup dd del details div dl dt em figcaption footer header main nav section
figure font h1 h2 h3 h4 h5 h6 hr i iframe img ins kbd li mark ol p picture pre q s samp script small span strike strong
style sub summary sup table tbody td tfoot th thead tr tt u ul video audio wbr svg noscript""".split())


# where a block of raw HTML breaks into paragraphs
HTML_PARAGRAPH = re.compile(r"</?(?:p|div|section|article|li|h[1-6]|blockquote|ul|ol)\b[^>]*>|<br\s*/?>", re.I)
# a label set apart by space alone (`Q1　读者「山竹不酸」提问`, `A`, `追问`): in HTML it is a styled badge
BADGE = re.compile(r"^(Q\d{0,2}|A\d{0,2}|问|答|追问)(?:[ \t\u3000]+|$)")


def html_text(html: str) -> str:
    """The text of a piece of raw HTML: comments and HTML elements go, any other tag (XML in a question) stays."""
    html = HTML_COMMENT.sub("", html)
    html = re.sub(r"(?is)<(script|style)\b.*?(</\1\s*>|\Z)", " ", html)
    text = HTML_TAG.sub(lambda m: "" if m.group(1).lower() in HTML_ELEMENTS else m.group(0), html)
    return html_unescape(text) if "&" in text else text     # (`Didn&#x27;t` is `Didn't`)


@dataclass
class Piece:
    """One classified unit of a post: a paragraph line, a quote, a heading, a question-led list item or another
    block."""
    kind: str            # "line" | "quote" | "heading" | "item" | "block"
    text: str            # plain text (an item's: its question)
    md: str              # the Markdown as written
    bold: bool = False   # the whole line is bold: a section title in the posts that use no headings
    urls: list = field(default_factory=list)
    level: int = 0       # a heading's level
    line: int = 0        # where it starts in the body (1-based)
    answer: str = ""     # an item's answer (the rest of the item), and its Markdown
    answer_md: str = ""
    full: str = ""       # an item's whole text, when it turns out to be part of an answer
    full_md: str = ""
    lead: str = ""       # what made an item's question: "link" | "bold" | "italic" | "plain"; a line's: "summary" (a
                         # `<details>` block's summary: what it opens to answers it) or "chat" (a timed message,
                         # `**[10:12] name**：…`)
    refs: list = field(default_factory=list)    # reference-link keys (`topic taproot`) used in the piece
    asker: str | None = None                     # an item's asker, when a table's column names one


@dataclass
class _Item:
    asker: str | None
    group: _Group | None
    turns: list = field(default_factory=list)        # [[q_texts, q_mds, a_texts | None, a_mds | None]]
    links: list = field(default_factory=list)        # [(label, url)] from project link lines
    section: int = 0                                  # items of one section may share a closing link line
    quoted: bool = False                              # the current question is complete: plain text answers it
    done: bool = False                                # a project link line closed the item
    listed: bool = False                              # a list item made it (the next list item is a new item)
    bare: bool = False                                # a quote with no asker line made it (the next quote too)
    unnamed: bool = False                             # signed by somebody not named (`— A reader in Ghent`)
    q_label: bool = False                             # a question label (`Q:`, `问：`) started it
    answer_quoted: bool = False                       # its byline credits an accepted answer, quoted below it
    answerer: str | None = None                       # who answers, when a bold `**@name**：` label said so
    heading: int = 0                                  # the level of the heading that asked the question
    named_in_heading: bool = False                    # that heading named who asked (`Why …? [@jmarsh]`)
    titled: bool = False                              # the text below that heading told the question in full
    again: bool = False                               # `**@阿蒙** 追问：` alone: the asker's next question is below
    unquote: bool = False                             # the question opened with a quote mark its last line closes
    replying: bool = False                            # `↳ sable_ito` under an answer: the quote below answers too
    header: bool = False                              # an asker line alone made it
    labelled: bool = False                            # … and a Q label asks under it: the next Q labels are theirs too
    defined: bool = False                             # a definition list's `Q — name` term: its definitions ask
    defined_again: bool = False                       # … `Q — name（追问）`: the next definition is their next turn
    urls: list = field(default_factory=list)          # the linked question's URL
    refs: list = field(default_factory=list)          # reference-link keys used in the item
    trace: list = field(default_factory=list)         # [(line, role, text)] for `inspect`

    def turn(self):
        if not self.turns:
            self.turns.append([[], [], None, None])
        return self.turns[-1]


@dataclass
class _Group:
    topic: str
    links: list = field(default_factory=list)
    items: list = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- the post's text

LIQUID_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?(?:\{%-?\s*endcomment\s*-?%\}|\Z)", re.S)
LIQUID_ASSIGN = re.compile(r"\{%-?\s*assign\s+(\w+)\s*=\s*([\"'])(.*?)\2\s*-?%\}", re.S)
LIQUID_TAG = re.compile(r"\{%.*?%\}", re.S)
LIQUID_VAR = re.compile(r"\{\{-?\s*([\w.]+)\s*(?:\|[^{}]*)?-?\}\}")
FENCE = re.compile(rf"^\s{{0,3}}(?:{LIST_MARKER}\s+)*\s*(`{{3,}}|~{{3,}})")


HUGO_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}", re.S)
ZOLA_SHORTCODE = re.compile(r"\{\{\s*\w+\((?:[^{}]|\{[^{}]*\})*\)\s*\}\}", re.S)     # `{{ figure(src="…", caption="…") }}`
# `{{< details title="为什么…？" >}} … {{< /details >}}` (and a theme's `expand`, `collapse`, `accordion`, `spoiler`,
# `faq`): a question over its answer, as `<details><summary>` is
HUGO_DETAILS = re.compile(r"\{\{[<%]-?\s*(?:details|expand|collapse|accordion|spoiler|faq|toggle)\b"
                          r"(?:\s+(?:title|summary|question|header)\s*=)?\s*(?P<q>\"[^\"\n]{1,300}\"|'[^'\n]{1,300}')"
                          r"[^\n]*?-?[>%]\}\}", re.I)
# `{{< question author="Lena Fischer" >}}` … `{{< /question >}}`, then `{{< answer >}}` … `{{< /answer >}}`: a
# theme's Q&A shortcodes, read as the labels they stand for (`**Lena Fischer asks:**`, `**Answer:**`)
HUGO_QUESTION = re.compile(r"\{\{[<%]-?\s*(?:question|ask|q)\b(?:[^\n]*?\b(?:author|asker|from|by|name)\s*=\s*"
                           r"(?:\"(?P<dq>[^\"\n]{1,60})\"|'(?P<sq>[^'\n]{1,60})'))?[^\n]*?-?[>%]\}\}", re.I)
HUGO_ANSWER = re.compile(r"\{\{[<%]-?\s*(?:answer|reply|a)\b[^\n]*?-?[>%]\}\}", re.I)
HUGO_DETAILS_END = re.compile(r"\{\{[<%]-?\s*/\s*(?:details|expand|collapse|accordion|spoiler|faq|toggle)\s*-?[>%]\}\}", re.I)


# The containers of static-site generators, around text that is the post's own:
# MkDocs-Material's admonitions (`!!! note "…"`, collapsible `??? question "…"`, the body indented four spaces);
ADMONITION = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)"
                        r"(?:[ \t]+\"(?P<title>[^\"\n]*)\")?[ \t]*$")
# VuePress's, VitePress's, Docusaurus's and 语雀's fenced containers (`::: details 问题…`, `:::tip[Title]`, `:::`);
CONTAINER_OPEN = re.compile(r"^[ \t]*(?P<fence>:{3,})[ \t]*(?P<kind>[A-Za-z][\w-]*)(?:\[(?P<bracket>[^\]\n]*)\]|[ \t]+"
                            r"(?P<title>[^\n]*?))?[ \t]*$")
CONTAINER_CLOSE = re.compile(r"^[ \t]*(?P<fence>:{3,})[ \t]*$")
# an MDX component alone on its line (`<Tabs>`, `<TabItem value="py" label="Python">`, `</Tabs>`): markup, but a
# tab's label names what follows it; and `<Admonition type="info" title="回答">` … `</Admonition>` is a container, as
# `:::info 回答` is
JSX_LINE = re.compile(r"^[ \t]*<(?P<close>/)?(?P<tag>[A-Z][\w.]*)\b(?P<attrs>[^<>]*?)/?>[ \t]*$")
JSX_HINT = re.compile(r"</?[A-Z]")           # (the cheap test for one, before a post's lines are read)
JSX_ATTR = re.compile(r"""(?P<key>\w+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|\{["'](?P<js>[^"'{}]*)["']\})""")
# a collapsible admonition of these kinds titled with a question is the editors' pointer (`??? info "Didn't find your
# problem?"`), not a reader's question
EDITORS_ADMONITIONS = ("info", "tip", "hint", "warning", "danger", "caution", "important", "note", "success")
# Jekyll's `{% highlight yaml %}` … `{% endhighlight %}`: a code block
LIQUID_HIGHLIGHT = re.compile(r"^(?P<indent>[ \t]*)\{%-?\s*highlight\s+(?P<lang>[\w+-]+)[^%]*-?%\}[ \t]*$")
LIQUID_ENDHIGHLIGHT = re.compile(r"^(?P<indent>[ \t]*)\{%-?\s*endhighlight\s*-?%\}[ \t]*$")
# a container's title that asks (`问题：校验失败后…？`, `How do I …?`): its body answers it; any other title
# (`点击查看回答`, `Office hours`, `关于本期`) is the container's label, and only its body is the post's
ASKING_TITLE = re.compile(rf"[?？]\s*$|^\s*(?:{ASK_WORDS})\s*{SEP}", re.I)
ASIDE = re.compile(r"^[ \t]*</?aside\b[^>]*>[ \t]*$", re.I)
PANDOC_DIV = re.compile(r"^[ \t]{0,3}:{3,}[ \t]*\{(?P<attrs>[^{}\n]*)\}[ \t]*$")    # `::: {.callout-tip title="…"}`
MYST_OPEN = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,}|:{3,})\{(?P<kind>[\w-]+)\}(?:[ \t]+(?P<title>[^\n]*?))?[ \t]*$")
MYST_CODE = ("code", "code-block", "code-cell", "literalinclude", "math", "mermaid", "eval-rst", "raw", "csv-table",
             # R Markdown's and Quarto's executable chunks (```{r}, ```{python}) are code too
             "r", "python", "py", "julia", "bash", "sh", "sql", "ojs", "dot", "js", "stan", "rcpp", "sas")
MYST_ASKING = ("admonition", "dropdown", "toggle", "hint", "note", "tip")   # asking when titled with a question
MYST_OPTION = re.compile(r"^[ \t]*:[\w-]+:")
CALLOUT = re.compile(r"^(?P<indent>[ \t]*)>[ \t]*\[!(?P<kind>[\w-]+)\](?P<fold>[+-]?)[ \t]*(?P<title>[^\n]*)$")
CALLOUT_ANSWERS = ("success", "check", "done", "answer")       # `> [!success] Answer`: the answer to the callout above
ASKING_KINDS = ("details", "question", "faq", "qa")   # (a `tip` or a `warning` titled with a question is the editor's)


def unwrap_containers(body: str) -> str:
    """The body with static-site containers unwrapped: a container whose title asks becomes `<details><summary>`
    over its body (a question over its answer, as a `<details>` block is read), any other loses its opening and
    closing lines; an admonition's body loses its four spaces, and Jekyll's `{% highlight %}` becomes a code fence.
    The containers of other tools' exports likewise: an Obsidian callout, a MyST directive or a Pandoc/Quarto
    fenced div titled with a question becomes a bold question line over its body, Notion's `<aside>` lines go.
    Code fences are left alone, and the line count is kept so line numbers still point into the post."""
    if (":::" not in body and "!!!" not in body and "???" not in body and "highlight" not in body and "[!" not in body
            and "{" not in body and "<aside" not in body and not JSX_HINT.search(body)):
        return body
    return "\n".join(_unwrap_lines(body.split("\n")))


def _unwrap_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    fence = None
    opened: list[bool] = []                 # the fenced containers open here: whether each became a <details>
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if fence is not None:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            i += 1
            continue
        if ASIDE.match(line):
            out.append("")                      # Notion's `<aside>` callout: its lines are Markdown, read as such
            i += 1
            continue
        if (pd := PANDOC_DIV.match(line)) is not None:
            # a Pandoc / Quarto fenced div (`::: {.callout-tip collapse="true" title="Q: …?"}` … `:::`): titled
            # with a question it becomes a bold question line over its body; its fences go, its body stays
            attrs = pd.group("attrs")
            cls = re.search(r"\.([\w-]+)", attrs)
            kind = re.sub(r"^callout-", "", cls.group(1)) if cls else ""
            title_m = re.search(r"""\btitle\s*=\s*(?:"([^"]*)"|'([^']*)')""", attrs)
            title = (title_m.group(1) or title_m.group(2) or "").strip() if title_m else ""
            body, depth = [], 1
            i += 1
            while i < len(lines):
                if PANDOC_DIV.match(lines[i]) or (CONTAINER_OPEN.match(lines[i]) and not CONTAINER_CLOSE.match(lines[i])):
                    depth += 1
                elif CONTAINER_CLOSE.match(lines[i]):
                    depth -= 1
                    if not depth:
                        break
                body.append(lines[i])
                i += 1
            asks = bool(title) and bool(ASKING_TITLE.search(title)) and (
                kind in ASKING_KINDS + MYST_ASKING or "collapse" in attrs)
            out.append(f"**{title}**" if asks else "")
            out.extend(_unwrap_lines(body))
            if i < len(lines):
                out.append("")                  # the closing fence
                i += 1
            continue
        if (d := MYST_OPEN.match(line)) is not None and d.group("kind").lower() not in MYST_CODE:
            # a MyST directive (```` ```{admonition} 问：…？ ```` or `:::{dropdown} …` over its body, `:class:` option
            # lines first): one titled with a question becomes a bold question line over its body, any other keeps
            # its body and loses its fences and options
            mark, body = d.group("fence"), []
            i += 1
            while i < len(lines) and not re.fullmatch(rf"[ \t]*{re.escape(mark[0])}{{{len(mark)},}}[ \t]*", lines[i]):
                body.append(lines[i])
                i += 1
            kind, title = d.group("kind").lower(), (d.group("title") or "").strip()
            asks = bool(title) and (kind in ASKING_KINDS or (kind in MYST_ASKING and bool(ASKING_TITLE.search(title))))
            out.append(f"**{title}**" if asks else "")
            k = 0
            while k < len(body) and MYST_OPTION.match(body[k]):
                k += 1
            out.extend([""] * k + _unwrap_lines(body[k:]))
            if i < len(lines):
                out.append("")                  # the closing fence
                i += 1
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            i += 1
            continue
        if (hl := LIQUID_HIGHLIGHT.match(line)) or (hl := LIQUID_ENDHIGHLIGHT.match(line)):
            out.append(hl.group("indent") + ("```" + hl.groupdict().get("lang", "") if "lang" in hl.groupdict() else "```"))
            i += 1
            continue
        if (c := CONTAINER_OPEN.match(line)) and not CONTAINER_CLOSE.match(line):
            title = (c.group("bracket") or c.group("title") or "").strip()
            asks = c.group("kind").lower() in ASKING_KINDS and bool(ASKING_TITLE.search(title))
            out.append(f"<details><summary>{html_escape(title)}</summary>" if asks else "")
            opened.append(asks)
            i += 1
            continue
        if (jsx := JSX_LINE.match(line)) is not None:
            attrs = {} if jsx.group("close") else {a.group("key"): a.group("dq") or a.group("sq") or a.group("js") or ""
                                                   for a in JSX_ATTR.finditer(jsx.group("attrs"))}
            if jsx.group("tag") == "Admonition":
                title = attrs.get("title", "").strip()
                asks = attrs.get("type", "").lower() in ASKING_KINDS and bool(ASKING_TITLE.search(title))
                out.append(f"<details><summary>{html_escape(title)}</summary>" if asks else "")
            else:
                label = (attrs.get("label") or attrs.get("title") or "").strip()
                out.append(f"{label}:" if label else "")
            i += 1
            continue
        if CONTAINER_CLOSE.match(line) and opened:
            opened.pop()                    # (no `</details>`: an HTML block runs on to the next blank line, and
            out.append("")                  # the summary's text is all that is read of it)
            i += 1
            continue
        if (co := CALLOUT.match(line)) is not None:
            # an Obsidian callout (`> [!faq]- Can I …?` over its quoted body): one that asks becomes a bold question
            # line over its body, one that answers (`> [!success] Answer`) its body alone; any other (a warning, a
            # tip) is the editor's and is left out
            prefix = re.compile(rf"^{re.escape(co.group('indent'))}>[ ]?")
            body = []
            i += 1
            while i < len(lines) and prefix.match(lines[i]):
                body.append(prefix.sub("", lines[i], count=1))
                i += 1
            kind, title = co.group("kind").lower(), co.group("title").strip()
            if kind in CALLOUT_ANSWERS or (title and ANSWER_HEADING.fullmatch(title)):
                out.append("")
                out.extend(_unwrap_lines(body))
            elif kind in ASKING_KINDS + ("help",) or (co.group("fold") and ASKING_TITLE.search(title)):
                out.append(f"**{title}**" if title else "")
                out.extend(_unwrap_lines(body))
            else:
                out.extend([""] * (len(body) + 1))
            continue
        a = ADMONITION.match(line)
        if a is None:
            out.append(line)
            i += 1
            continue
        indent, title = a.group("indent"), (a.group("title") or "").strip()
        asks = bool(title) and (a.group("kind").lower() in ("question", "faq", "help")
                                or (a.group("mark").startswith("???") and bool(ASKING_TITLE.search(title))
                                    and a.group("kind").lower() not in EDITORS_ADMONITIONS))
        title = title.replace("`", "")           # (`` `halyard apply` rewrites … ``: code in a title is its text)
        if asks and a.group("kind").lower() in ("question", "faq", "help") and not QUESTION_END.search(title):
            title = "Q: " + title                # (`??? question "…rewrites the same file"` says it asks, with no mark)
        i += 1
        inner = len(indent.expandtabs(4)) + 4
        block = []
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) >= inner):
            block.append(lines[i])
            i += 1
        trailing = []
        while block and not block[-1].strip():
            trailing.append(block.pop())
        body = [ln[4:] if ln.strip() else "" for ln in block]
        divider = _divider(body) if asks else None
        if divider is not None:
            # `??? question "…"`, who asked and more of the question, `---`, then the answer: a labelled pair
            out.append(f"{indent}{title}" if title.startswith("Q: ") else f"{indent}Q: {title}")
            out.extend(_unwrap_lines(body[:divider]))
            out.append(f"{indent}A:")
            out.extend(_unwrap_lines(body[divider + 1:]))
        else:
            out.append(f"{indent}<details><summary>{html_escape(title)}</summary>" if asks else "")
            out.extend(_unwrap_lines(body))    # (admonitions nest)
        out.extend(trailing)
    return out


def _divider(lines: list[str]) -> int | None:
    """The index of the first thematic break (`---`) among lines, outside code fences and after some text."""
    fence = None
    for k, ln in enumerate(lines):
        if (f := re.match(r"^\s*(`{3,}|~{3,})", ln)) is not None:
            fence = None if fence and f.group(1).startswith(fence) else (fence or f.group(1))
        elif fence is None and re.fullmatch(r"\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*", ln) and any(x.strip() for x in lines[:k]):
            return k
    return None


DEFINITION_LIST = re.compile(r"<dl\b[^>]*>.*?</dl\s*>", re.I | re.S)


def join_definition_lists(body: str) -> str:
    """A raw `<dl>…</dl>` with blank lines between its terms read as one HTML block: Markdown ends an HTML block at
    a blank line, and the indented `<p>` of the next definition would become a code block. Each blank line inside
    becomes an empty comment, so line numbers still point into the post."""
    if "<dl" not in body and "<DL" not in body:
        return body
    return DEFINITION_LIST.sub(lambda m: re.sub(r"\n[ \t]*(?=\n)", "\n<!-- -->", m.group(0)), body)


WIKILINK = re.compile(r"\[\[([^\[\]|#\n]*)(?:#[^\[\]|\n]*)?(?:\|([^\[\]\n]+))?\]\]")


FOOTNOTE_REF = re.compile(r"\[\^[\w-]{1,20}\](?!:)")       # `…？**[^1]`: a footnote's mark, a superscript number
FOOTNOTE_DEF = re.compile(r"^[ \t]{0,3}\[\^[\w-]{1,20}\]:")  # `[^1]: …`: the note itself, at the page's foot
WP_SHORTCODE = re.compile(r"^[ \t]*\[(gallery|caption|embed|video|audio|playlist)\b[^\]\n]*\](?:[^\n]*\[/\1\])?[ \t]*$", re.M)
MYST_ROLE = re.compile(r"(?<![A-Za-z0-9_$`])\{[a-z][\w:-]*\}`([^`<]*?)\s*(?:<([^>`]*)>)?`")   # {doc}`迁移指南 <guides/migrate>`; not `${ETCD_PASSWORD}`


def rendered_links(body: str) -> str:
    """Obsidian's and Logseq's `[[Page|text]]` as its text and `[[Page]]` as the page's name, and a MyST role
    (`{doc}`text <target>``) as its text, as they render; a line that is only a WordPress shortcode (`[gallery …]`,
    `[caption …]…[/caption]`), footnote marks (`[^1]`) and the footnotes' first lines left out. Code fences are
    left alone, and the line count is kept."""
    if "[[" not in body and "}`" not in body and "[^" not in body and not WP_SHORTCODE.search(body):
        return body
    out, fence, directives = [], None, []
    for line in body.split("\n"):
        m = FENCE.match(line)
        if fence is None and (d := MYST_OPEN.match(line)) and d.group("kind").lower() not in MYST_CODE:
            directives.append(d.group("fence"))          # a directive's body is text, not code
        elif fence is None and directives and re.fullmatch(
                rf"[ \t]*{re.escape(directives[-1][0])}{{{len(directives[-1])},}}[ \t]*", line):
            directives.pop()
        elif fence is None and m is None:
            line = WIKILINK.sub(lambda w: (w.group(2) or w.group(1)).strip(), line)
            line = MYST_ROLE.sub(lambda r, line=line: r.group(0) if line.count("`", 0, r.start()) % 2
                                 else r.group(1).strip() or (r.group(2) or "").strip(), line)   # (not inside code)
            line = WP_SHORTCODE.sub("", line)
            line = FOOTNOTE_REF.sub("", line) if not FOOTNOTE_DEF.match(line) else ""
        elif m is not None:
            fence = m.group(1) if fence is None else (None if m.group(1)[0] == fence[0] else fence)
        out.append(line)
    return "\n".join(out)


LEAD_IAL = re.compile(rf"(?m)^([ \t]*{LIST_MARKER}[ \t]+)\{{:[^{{}}\n]*\}}[ \t]*(?=\S)")


def lead_attributes(body: str) -> str:
    """A list item's Kramdown attributes out of its way (`- {:#reserve} [Why …?][ml reserve]`): what follows them
    leads the item (a linked question), as it does without them."""
    return LEAD_IAL.sub(r"\1", body) if "{:" in body else body


def strip_liquid(body: str) -> str:
    """Jekyll's Liquid tags out of the text (`{% include … %}`, `{% comment %}…{% endcomment %}`), `{{ var }}`
    replaced by the post's own `{% assign var = "…" %}` (else removed). Code fences are left alone, and the line
    count is kept so line numbers still point into the post."""
    if "{%" not in body and "{{" not in body:
        return body
    hugo = "{{<" in body or "{{%" in body
    liquid = "{%" in body
    values = {m.group(1): m.group(3) for m in LIQUID_ASSIGN.finditer(body)}

    def blank(m: re.Match) -> str:
        return "\n" * m.group(0).count("\n")

    def var(m: re.Match) -> str:
        name = m.group(1)
        if name in values:
            return values[name]
        return "" if liquid else m.group(0)

    def clean(chunk: str) -> str:
        chunk = ZOLA_SHORTCODE.sub(blank, chunk)   # Zola's (`{{ figure(…) }}`) are markup too
        if hugo:                               # Hugo's shortcodes (`{{< figure … >}}`, `{{% notice %}}`) are markup
            chunk = HUGO_DETAILS.sub(lambda m: f"<details><summary>{html_escape(m.group('q')[1:-1])}</summary>", chunk)
            chunk = HUGO_DETAILS_END.sub("</details>", chunk)
            chunk = HUGO_QUESTION.sub(lambda m: f"**{m.group('dq') or m.group('sq')} asks:**"
                                      if m.group("dq") or m.group("sq") else "**Q:**", chunk)
            chunk = HUGO_ANSWER.sub("**Answer:**", chunk)
            chunk = HUGO_SHORTCODE.sub(blank, chunk)
        if liquid:
            chunk = LIQUID_TAG.sub(blank, LIQUID_COMMENT.sub(blank, chunk))
        return LIQUID_VAR.sub(var, chunk)

    out, chunk, fence = [], [], None
    for line in body.split("\n"):
        m = FENCE.match(line)
        if fence is None and m:
            out.append(clean("\n".join(chunk)))
            chunk, fence = [], m.group(1)
            out.append(line)
        elif fence is not None:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):].strip():
                fence = None
        else:
            chunk.append(line)
    out.append(clean("\n".join(chunk)))
    return "\n".join(x for x in out) if out else body


# ---------------------------------------------------------------------------------------------- tokens to pieces

INVISIBLE = str.maketrans({"\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\u00a0": " ",
                           "\u3000": " ", **{chr(c): None for c in range(32) if chr(c) not in "\t\n\r"}})


def inline_text(children: list[Token] | None) -> str:
    out, run = [], []

    def flush():
        if run:
            out.append(KRAMDOWN_IAL.sub("", "".join(run)))
            run.clear()
    for t in children or []:
        if t.type == "text":
            # emphasis markers CommonMark could not pair (`1*（对于 BoltV1）*和`) are markup, not text
            run.append(t.content.replace("*", "").translate(INVISIBLE))
            continue
        flush()
        if t.type == "code_inline":
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak") or (t.type == "html_inline" and BR.fullmatch(t.content.strip())):
            out.append("\n")
        elif t.type == "html_inline":
            out.append(STRAY_STARS.sub(r"\1\2", html_text(t.content)))
    flush()
    # a reference link whose definition is not in the post (`[BIP-Schnorr][]`, `[x][topic\nx]`) is its text
    return UNRESOLVED_REF.sub(r"\1", "".join(out))


def inline_urls(children: list[Token] | None) -> list[str]:
    return [t.attrGet("href") for t in children or [] if t.type == "link_open" and t.attrGet("href")]


CAPS_TITLE = re.compile(r"(?=(?:[^A-Z]*[A-Z]){4})[A-Z][A-Z0-9 &'’,:/-]{2,40}")


def is_bold_line(children: list[Token] | None) -> bool:
    depth, seen = 0, False
    for t in children or []:
        if t.type == "strong_open":
            depth += 1
            seen = True
        elif t.type == "strong_close":
            depth -= 1
        elif depth == 0 and (t.type not in ("text", "softbreak") or t.content.strip()):
            return False
    return seen


REF_KEY = re.compile(r"\]\[([^\[\]\n]+)\]")


def _refs(md: str) -> list[str]:
    return [re.sub(r"\s+", " ", k).strip() for k in REF_KEY.findall(md or "")]


class _Reader:
    """One post's pieces: the token stream, its source lines and its reference definitions."""

    def __init__(self, body: str, profile: Profile):
        self.profile = profile
        self.env: dict = {}
        self.tokens = _md.parse(body, self.env)
        self.lines = body.split("\n")
        self.warnings: list[str] = []

    def inline(self, text: str) -> list[Token]:
        return _md.parseInline(text, self.env)[0].children or []

    def pieces(self) -> list[Piece]:
        tokens, out = self.tokens, []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.level != 0:
                i += 1
                continue
            j = _block_end(tokens, i)
            block = tokens[i:j + 1]
            i = j + 1
            start, end = tok.map or (0, 0)
            source = "\n".join(self.lines[start:end])
            line = start + 1
            if tok.type == "paragraph_open":
                out.extend(self._paragraph_lines(block[1], line))
            elif tok.type == "heading_open":
                text = inline_text(block[1].children).strip()
                out.append(Piece("heading", text, source, level=int(tok.tag[1:] or 0), line=line,
                                 urls=inline_urls(block[1].children)))
            elif tok.type == "blockquote_open":
                text = "\n".join(_block_text(block))
                md = "\n".join(QUOTE_PREFIX.sub("", ln, count=1) for ln in source.split("\n"))
                urls = [u for t in block if t.type == "inline" for u in inline_urls(t.children)]
                out.append(Piece("quote", text, BR.sub("\n", md), urls=urls, line=line))
            elif tok.type == "html_block" and (h := HTML_HEADING.fullmatch(tok.content.strip())):
                text = html_text(h.group(2)).strip()   # `<h3>读者来信</h3>`: a heading, as `### 读者来信` is
                out.append(Piece("heading", unwrap(text), text, level=int(h.group(1)), line=line))
            elif tok.type == "html_block":
                # the text of raw HTML, without what browsers never show (scripts, styles, comments, tags)
                summary = SUMMARY.search(tok.content)
                question = html_text(summary.group(1)).strip() if summary else ""
                if question:
                    # `<details><summary>Can I …?</summary>answer</details>`: a bold line (the question) over the text
                    out.append(Piece("line", question, question, bold=True, line=line, lead="summary"))
                    text = html_text(tok.content[summary.end():]).strip()
                    if text:                        # (Markdown inside the block is read as Markdown)
                        out.append(Piece("line", unwrap(inline_text(self.inline(text)).strip()), text, line=line))
                    continue
                pairs = DEFINITION_PAIR.findall(tok.content)
                if pairs:
                    # `<dl><dt>Can I …?</dt><dd>answer</dd></dl>`: each term a bold line over its definition
                    for term, definition in pairs:
                        out.append(Piece("line", unwrap(html_text(term).strip()), html_text(term).strip(), bold=True,
                                         line=line))
                        for para in re.split(r"</p\s*>", definition, flags=re.I):
                            if (text := html_text(para).strip()):
                                out.append(Piece("line", unwrap(text), text, line=line))
                    continue
                paras = [t for t in (html_text(x).strip() for x in HTML_PARAGRAPH.split(tok.content)) if t] \
                    if not re.search(r"<(?:pre|code|table)\b", tok.content, re.I) else []
                if len(paras) > 1:                  # a page laid out in HTML (a 公众号 article's `<section>` of
                    for text in paras:               # `<p>`s): each paragraph a line, as Markdown's would be;
                        text = BADGE.sub(r"\1：", text)   # a badge (`<span>Q1</span>　…`) is a label
                        out.append(Piece("line", unwrap(inline_text(self.inline(text)).strip()), text, line=line))
                    continue
                text = html_text(tok.content).strip()
                if text:                            # `<p>…</p>` is a paragraph of prose; other HTML, a block
                    prose = re.match(r"\s*<p[\s>]", tok.content, re.I) is not None
                    out.append(Piece("line" if prose else "block", unwrap(text) if prose else text, text, line=line))
            elif tok.type == "bullet_list_open" and _all_link_lines(block):
                for t in block:                        # `- SOFABoot：url` items are project link lines
                    if t.type == "inline":
                        out.append(Piece("line", inline_text(t.children).strip(), t.content,
                                         urls=inline_urls(t.children), line=(t.map or (start,))[0] + 1))
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                out.extend(self._list(block, start, end))
            elif tok.type == "hr":
                out.append(Piece("heading", "", source, line=line))
            elif tok.type == "table_open" and (rows := _qa_table(block, line)):
                out.extend(rows)                       # | 提问者 | 问题 | 回答 |: one item a row
            else:
                if tok.type == "fence" and not _closes_fence(self.lines[end - 1], tok.markup, start, end):
                    self.warnings.append(f"code fence opened at line {start + 1} is never closed")
                out.append(Piece("block", "\n".join(_block_text(block)), source, line=line))
        return out

    def _list(self, block: list[Token], start: int, end: int) -> list[Piece]:
        """A list: items led by a question (`- [Why …?](url) Alice explains …`) are pieces of their own, items
        that open with an asker, question or answer line are read line by line, and the rest stay one block."""
        out: list[Piece] = []
        plain: list[tuple[int, int, list[Token]]] = []     # runs of ordinary items: source lines and tokens

        def flush():
            if plain:
                a, b = plain[0][0], plain[-1][1]
                text = "\n".join(_block_text([t for _, _, toks in plain for t in toks]))
                out.append(Piece("block", text, "\n".join(self.lines[a:b]), line=a + 1))
                plain.clear()
        k = 1
        while k < len(block) - 1:
            t = block[k]
            if t.type != "list_item_open" or t.level != block[0].level + 1:
                k += 1
                continue
            e = _block_end(block, k)
            item = block[k:e + 1]
            a, b = t.map or (start, end)
            k = e + 1
            piece = self._list_item(t, item, a, b)
            if piece is None:
                plain.append((a, b, item))
                continue
            flush()
            out.extend(piece)
        flush()
        return out

    def _item_blocks(self, rest: list[Token], a: int, b: int) -> list[Piece]:
        """The blocks of a list item after its first paragraph, read like the post's own: paragraphs line by line,
        quotes, nested lists (`- **Maintainer**：…` under the question) and other blocks."""
        pieces: list[Piece] = []
        for sub in _blocks(rest):
            s, t_ = sub[0].map or (a, b)
            text = "\n".join(_block_text(sub))
            if sub[0].type == "paragraph_open":
                pieces.extend(self._paragraph_lines(sub[1], s + 1))
            elif sub[0].type == "blockquote_open":
                pieces.append(Piece("quote", text, "\n".join(QUOTE_PREFIX.sub("", ln.strip(), count=1)
                                                              for ln in self.lines[s:t_]), line=s + 1))
            elif sub[0].type in ("bullet_list_open", "ordered_list_open"):
                pieces.extend(self._list(sub, s, t_))
            elif text:
                pieces.append(Piece("block", text, "\n".join(_dedent(self.lines[s:t_])), line=s + 1))
        return pieces

    def _list_item(self, open_tok: Token, item: list[Token], a: int, b: int) -> list[Piece] | None:
        inner = item[1:-1]
        if not inner or inner[0].type != "paragraph_open":
            return None
        first = inner[1]
        number = f"{open_tok.info}{open_tok.markup} " if open_tok.info else ""
        first_text = inline_text(first.children).strip()
        first_line = number + first_text.split("\n")[0]
        md_lines = _dedent(self.lines[a:b])
        chat = CHAT_MESSAGE.match(md_lines[0].strip()) if md_lines and "\n" in first_text else None
        if chat:
            # `- **Odile Fournier** · Mon 09:12` over her message, the replies nested below: a chat digest's thread,
            # each message read as `**name**: message` (so the dialogue rules apply), the replies in order
            said_md = first.content.split("\n", 1)[1].strip()
            return [Piece("line", f"{chat.group('name')}: {unwrap(first_text.split(chr(10), 1)[1].strip())}",
                          f"**{chat.group('name')}**: {said_md}", line=a + 1), *self._item_blocks(inner[3:], a, b)]
        first_md = LIST_MARK.sub("", md_lines[0], count=1) if md_lines else ""
        if _opens_item(first_line.replace("*", ""), self.profile) or _opens_item(first_text.split("\n")[0].replace(
                "*", ""), self.profile) or ANSWER.match(first_text) or FOLLOW_UP.match(first_text) \
                or (md_lines and SPEAKER_MD.match(md_lines[0])) \
                or (BOLD_LED.match(first_md) and _asker(first_text.split("\n")[0], first_md, self.profile)):
            # (`3. **某券商用户** 问：…？`: a bold asker leading the item's line)
            # `1. @handle #123`, `- Q: …`, `- 追问：…`: the item is read line by line, like paragraphs
            return self._paragraph_lines(first, a + 1, number) + self._item_blocks(inner[3:], a, b)
        lead = _lead(first.children)
        if lead is None:
            return None
        kind, q_children, rest_children = lead
        question = inline_text(q_children).strip()
        if (kind == "bold" and re.match(r"\s*[，,、；;]", inline_text(rest_children))
                and not re.search(r"[?？]", question)):
            return None           # `- **4.1.0 已发布**，规则引擎支持…`: a sentence that goes on past its bold words, no title
        urls = inline_urls(q_children)
        answer_first = unwrap(re.sub(r"^[\s:：\-–—,，.。]+", "", inline_text(rest_children)).strip())
        question = unwrap(question)
        if kind == "link" and answer_first[:1] in ("?", "？"):     # `[Why …](url)？ Alice explains`: its mark
            question, answer_first = question + answer_first[0], answer_first[1:].lstrip()
        if kind in ("bold", "italic", "plain"):
            question = question.rstrip(":： ")
        said = ASKER_TRAILING.match(answer_first) if QUESTION_END.search(question) else None
        named = _name(ASKER_WHERE.sub("", said.group("name"))) if said else None      # `**…？**（@陈小舟 提问）`
        if said:
            answer_first = ""
        rest_lines = inline_text(rest_children).strip().split("\n")
        signed = LEAD_SIGN_OFF.match(rest_lines[0] + "\n") if QUESTION_END.search(question) and not said else None
        if signed and (_plausible_name(signed.group("name")) or ANONYMOUS.match(signed.group("name"))):
            named = _name(signed.group("name"))         # `1. **Is it safe …?**` / `— Jonas, via email`: who asked,
            answer_first = unwrap("\n".join(rest_lines[1:]).strip())     # signed under the question
        body = None
        if (not answer_first.strip() and len(inner) > 3 and inner[3].type == "blockquote_open"
                and kind in ("bold", "link", "italic")):
            # `1. **采样率设为 10% 后错误请求也丢了**` / `   > 我们在 SDK 里配了 …` / `   > 提问者：@晚风` / the answer:
            # the title, the question told in full in the quote (who asked signed inside it), then the answer
            close = _block_end(inner, 3)
            kept = []
            for para in _block_text(inner[3:close + 1], wrap=False):
                last = para.split("\n")[-1]             # (`> 提问者：@x` ends the quote, a paragraph or a line,
                if (joined := SIGNED_TAIL.search(last)) and joined.start() > 0:      # or the last words of one)
                    last = last[joined.start():]
                signer = _asker(last, last, self.profile)
                if signer is not None and not signer[1]:
                    named = named or signer[0]
                    para = para[:len(para) - len(last)].strip()
                if para:
                    kept.append(para)
            if kept and any(t.type == "inline" for t in inner[close + 1:]):
                body = (kept, close)
        if body is not None:
            texts = _block_text(inner[body[1] + 1:], wrap=False)
            question = question + "\n" + "\n".join(body[0])
        else:
            texts = [answer_first] + _block_text(inner[3:], wrap=False)
        answer = "\n".join(x for x in texts if x.strip())
        if not question or not answer.strip() or len(question) > 300 + (len("\n".join(body[0])) if body else 0):
            return None
        q_md, a_md = _split_lead_md("\n".join(md_lines), kind)
        if body is not None:                         # (the quote's lines are the question's, not the answer's)
            a_lines = a_md.split("\n")
            first = next((k for k, ln in enumerate(a_lines) if ln.lstrip().startswith(">")), 0)
            last = first
            while last < len(a_lines) and (a_lines[last].lstrip().startswith(">") or not a_lines[last].strip()):
                last += 1
            q_md = q_md + "\n\n" + "\n".join(QUOTE_PREFIX.sub("", ln.lstrip(), count=1) for ln in a_lines[first:last]).strip()
            a_md = "\n".join(a_lines[last:]).strip()
        if said:
            a_md = re.sub(r"^\s*[（(][^()（）]{1,80}[)）]\s*", "", a_md or "", count=1)
        elif signed and (_plausible_name(signed.group("name")) or ANONYMOUS.match(signed.group("name"))):
            a_md = re.sub(r"^[^\n]*\n?", "", (a_md or "").lstrip(), count=1).lstrip()    # (the line, its dash gone)
        full = "\n".join(_block_text(item))          # (with its list number)
        return [Piece("item", question, q_md or question, urls=urls, line=a + 1, answer=answer,
                      answer_md=a_md or answer, full=full, full_md="\n".join(md_lines), lead=kind,
                      refs=_refs("\n".join(self.lines[a:b])), asker=named)]

    def _paragraph_lines(self, inline: Token, line: int, number: str = "") -> list[Piece]:
        """A paragraph cut at its line breaks: `A：…<br />SOFAJRaft：url` is an answer line and a link line."""
        result = []
        n = 0
        one_line = "\n" not in inline.content and not BR.search(inline.content)
        for raw in BR.split(inline.content):
            if "<" in raw:
                raw = html_emphasis(raw)
            for ln, extra in bold_spans(chat_message_lines(raw.split("\n"))):
                n += 1
                if not ln.strip():
                    continue
                labelled = relabel(ln)
                timed = labelled != ln and LEAD_TIME.match(ln) is not None
                # a one-line paragraph was parsed whole already: its tokens are the line's (most paragraphs)
                children = (inline.children or []) if one_line and labelled == ln else self.inline(labelled)
                ln = labelled
                text = inline_text(children).strip()
                if number and not result:
                    text, ln = number + text, number + ln.strip()
                # (a plain-text letter's section titles are set in capitals, alone: `LETTERS`, `WHAT'S NEW`)
                title = is_bold_line(children) or (one_line and CAPS_TITLE.fullmatch(text) is not None)
                result.append(Piece("line", text, ln.strip(), title, inline_urls(children),
                                    line=line + n - 1, lead="chat" if timed else "", refs=_refs(ln)))
                n += extra
        return result


def list_paragraphs(md: str) -> list[tuple[str, str, bool]]:
    """A list item's Markdown cut into paragraphs (at blank lines outside code fences): (text, Markdown, is code).
    A code block's text is its lines inside the fences."""
    out: list[tuple[str, str, bool]] = []
    block: list[str] = []
    fence = None
    for line in md.split("\n") + [""]:
        if fence is None and not line.strip():
            if block and FENCE.match(block[0]):
                body = block[1:-1] if len(block) > 1 and FENCE.match(block[-1]) else block[1:]
                out.append(("\n".join(body), "\n".join(block), True))
            elif block:
                text = inline_text(_md.parseInline("\n".join(block))[0].children or []).strip()
                out.append((text, "\n".join(block), False))
            block = []
            continue
        block.append(line)
        if (m := FENCE.match(line)) is not None:
            if fence is None:
                fence = m.group(1)
            elif m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None                         # the closing fence
    return out


HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.I | re.S)
HTML_EMPHASIS = re.compile(r"<(strong|b|em|i|code)>([^<>\n]*)</\1>", re.I)
EMPHASIS_MARK = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}


def html_emphasis(text: str) -> str:
    """`<strong>Aiyana asks:</strong>`, `<em>…</em>`, `<code>…</code>` (a WordPress or Confluence export's inline
    HTML) as the Markdown they stand for, so the labels inside are read as they are in Markdown."""
    return HTML_EMPHASIS.sub(lambda m: f"{EMPHASIS_MARK[m.group(1).lower()]}{m.group(2)}{EMPHASIS_MARK[m.group(1).lower()]}"
                             if m.group(2).strip() else m.group(2), text)


def chat_message_lines(lines: list[str]) -> list[str]:
    """A transcript's message wrapped over lines (`**[17:12] hexagonal:** is cross-compiling … without` /
    `installing a separate toolchain?`) as one line: the message is the speaker's, and its question ends on the
    last line. Only a timed speaker's message, whose other lines begin no label, quote, list or link line."""
    if len(lines) < 2 or not LEAD_TIME.match(lines[0]) or not SPEAKER_MD.match(LEAD_TIME.sub(r"\1", lines[0], count=1)):
        return lines
    rest = [ln.strip() for ln in lines[1:]]
    if any(not ln or re.match(r"(?:\*\*|__|>|「|\[\d|[-+*]\s|\d{1,3}[.)]\s)", ln) or LINK_LINE.match(ln)
           or ANSWER.match(ln) or QLINE.match(ln) for ln in rest):
        return lines
    return [" ".join([lines[0].rstrip(), *rest])] + [""] * len(rest)


def bold_spans(lines: list[str]) -> Iterator[tuple[str, int]]:
    """A paragraph's lines, with a bold span wrapped over lines joined into one (`**1. Why does … even when` /
    `retraction is set to 0?**`): cut apart, neither half would read as bold. Yields (line, lines joined to it)."""
    i = 0
    while i < len(lines):
        ln, j = lines[i], i
        while ln.count("**") % 2 and j + 1 < len(lines) and j - i < 3:
            j += 1
            nxt = lines[j].strip()
            ln += ("" if re.search(rf"[{CJK}]$", ln) and re.match(rf"[{CJK}]", nxt) else " ") + nxt
        if j > i and not ln.count("**") % 2:
            yield ln, j - i
            i = j + 1
        else:
            yield lines[i], 0
            i += 1


# `【问题】…`, `【回答】…`, `【Q】`: a label in lenticular brackets
BRACKET_LABEL = re.compile(r"^(\s*(?:\*\*|__)?)\s*【\s*(问题|问|提问|Q|回答|答|解答|答复|回复|A|追问)\s*(\d{0,2})\s*】\s*[:：]?\s*",
                           re.I)


# `A 同学：…`, `维护者 @柏舟：…` (plain, not bold): a chat digest's anonymised speaker and its maintainer, read as
# the bold speaker labels they stand for
PLAIN_CHAT_SPEAKER = re.compile(r"^(\s*)([A-Z甲乙丙丁]\s*(?:同学|群友|网友|用户)(?:[（(](?:追问|再问)[)）])?"
                                r"|(?:维护者|管理员|群主)\s*@?[^\s:：@（(]{1,20})\s*[:：]\s*(?=\S)")
CHAT_SPEAKER_STARTS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ甲乙丙丁维管群 ")
# `【群友 风吹麦浪】…`, `【维护者 老K】…`: a group chat digest's speaker, their role and name in lenticular brackets,
# read as `群友「风吹麦浪」：…` (who asks) and `维护者 老K 回复：…` (who answers)
ANSWERER_ROLE = r"维护者|管理员|群主|讲师|嘉宾|官方|助教|核心开发者"
BRACKET_SPEAKER = re.compile(rf"^(\s*(?:\*\*|__)?)\s*【\s*(?P<role>{ANSWERER_ROLE}|{ROLE})\s+"
                             r"(?P<name>[^】\s][^】]{0,20}?)\s*】\s*[:：]?\s*")


def _bracket_speaker(m: re.Match) -> str:
    if re.fullmatch(ANSWERER_ROLE, m.group("role")):
        return f"{m.group(1)}{m.group('role')} {m.group('name')} 回复："
    return f"{m.group(1)}{m.group('role')}「{m.group('name')}」："


# `提问者 / Asked by: @x`, `Asked by / 提问者：`: who asked, labelled in both languages
BILINGUAL_ASKER = re.compile(r"^(\s*(?:\*\*|__)?\s*)(?:(?P<zh>提问者|提问人)\s*[/／|｜]\s*(?:asked\s+by|asker|from)(?![A-Za-z])"
                             r"|(?:asked\s+by|asker)\s*[/／|｜]\s*(?P<zh2>提问者|提问人))", re.I)
# `**提问 / Question**（@石头）：`, `Answer / 回答：`: one label in both languages of a bilingual post
ZH_LABEL = r"问题|提问|问|回答|答|解答|答复|回复|追问"
EN_LABEL = r"Question|Q|Answer|A|Reply|Follow-up"
BILINGUAL_LABEL = re.compile(rf"^(\s*(?:\*\*|__)?\s*)(?:(?P<zh>{ZH_LABEL})(?:\s*[/／|｜]\s*|\s+)(?:{EN_LABEL})(?![A-Za-z])|"
                             rf"(?:{EN_LABEL})\s*[/／|｜]\s*(?P<zh2>{ZH_LABEL}))", re.I)


# `**[18:45] @pgdaniel:** …`, `【01:10:12】观众…`: where in a recording it was said, before who said it
CHAT_TIME = r"(?:\d{2,4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?\s+)?\d{1,2}:\d{2}(?::\d{2})?"    # `18:45`, `01-08 10:12`
ORDINAL_LEAD = re.compile(rf"^(\s*(?:\*\*|__)?)\s*【\s*{ORDINAL_ZH}\s*】\s*(?=\S)")   # `【第 1 问】`
LEAD_TIME = re.compile(rf"^(\s*(?:\*\*|__)?)\s*(?:\[{CHAT_TIME}\]|【{CHAT_TIME}】)\s*(?=\S)")
# after a chat message's time, a plain `name：` or `name（维护者）：`: who speaks (read as a bold speaker label)
TIMED_SPEAKER = re.compile(r"^(\s*)(@?[^\s*_:：【】\[\]()（）]{1,20}(?:\s*[（(][^()（）\n]{1,12}[)）])?)([:：])(?=\s*\S)")
# `**Q1｜@x：**`, `Q1 追问｜@夏目：`: a label, a bar, then who asks: read as `Q1（@x）：`, `追问（@夏目）：`
PIPE_LABEL = re.compile(r"^(\s*(?:\*\*|__)?\s*)(?:Q\s*\d{1,2}\s*(?=再?追问))?(Q\s*\d{0,2}|再?追问|问|提问)\s*[｜|]\s*@?([^\s：:*|｜]{1,30})\s*"
                        r"(\*\*|__)?\s*(?:提问|问)?\s*((?:\*\*|__)?\s*[:：])")     # (`**Q1｜@苏牧 提问：**`, `**Q1｜@x** 提问：` too)
# `❓ **How can I …?**`: a question mark emoji before a question (no label after it) labels it
QUESTION_MARK_LEAD = re.compile(r"^(\s*)[❓❔]\ufe0f?\s*(?=(?:\*\*|__)?[^*_\n:：]+[?？]\s*(?:\*\*|__)?"
                                r"(?:\s*(?:—{1,2}|--)\s*(?:@[\w.\-]{1,30}|[A-Z][\w'’.-]*(?:\s[A-Z][\w'’.-]*){0,2}))?\s*$)")   # (`—— @x`: who asked)
# `✅ Start it with …` under a question waiting for its answer: a check mark opens the answer
CHECK_ANSWER = re.compile(r"^\s*(?:\*\*|__)?\s*[✅✔☑]\ufe0f?\s*(?:\*\*|__)?\s*(?=\S)")
# a question's or an answer's emoji before its label (`❓ **来自 @x**：…`, `💡 **@周屿**：…`): the label says it
LEAD_MARK = re.compile(r"^(\s*(?:\*\*|__)?\s*)(?:❓|❔|💡|💬|📌|🙋(?:\u200d[♂♀]\ufe0f?)?|🅠|🅐)\ufe0f?\s*")


# `**Q** [Job logs are cut off …](…) by @x`, `**A** by @junt: …`: a bold Q or A with no colon after it
# `**Q** (from Kwame Asante): …`: a bold Q, who asked in parentheses, then the colon; read as `**Q (from …):**`
BARE_PAREN_LABEL = re.compile(r"^(\s*(?:\*\*|__))([QA])(\*\*|__)\s*([（(][^()（）\n]{1,40}[)）])\s*[:：]\s*")
BARE_LABEL = re.compile(r"^(\s*(?:\*\*|__))([QA])(\*\*|__)(?:\s+(?=[\[\w])(?!by\b)|\s*$)")   # (`**A**` alone too)


LABEL_STARTS = frozenset("【问提回答解追QqAaRrFf❓❔💡💬📌🙋🅠🅐[")


def relabel(line: str) -> str:
    """A line's label in the one form the patterns read: `【问题】…` is `Q：…`, `提问 / Question（@x）：` is `提问（@x）：`,
    `❓ **来自 @x**：…` loses its emoji, `**[18:45] @x:**` its timestamp. Most lines start with none of these (checked first: this runs on every line)."""
    head = line.lstrip(" \t*_")[:2]
    if head[:1] not in LABEL_STARTS or (head[:1] == "[" and not head[1:].isdigit()):
        # (`[a link](…)` starts many lines; only `[18:45]` is a label's)
        return PLAIN_CHAT_SPEAKER.sub(r"\1**\2**：", line, count=1) if line[:1] in CHAT_SPEAKER_STARTS else line
    timed = LEAD_TIME.match(line)
    line = LEAD_TIME.sub(r"\1", line, count=1)
    if timed and not timed.group(1).strip():
        line = TIMED_SPEAKER.sub(r"\1**\2**\3", line, count=1)    # `【10:32】阿杰：…` is `**阿杰**：…`
    line = QUESTION_MARK_LEAD.sub(r"\1Q：", line, count=1)
    line = ORDINAL_LEAD.sub(r"\1", line, count=1)
    line = PIPE_LABEL.sub(lambda m: f"{m.group(1)}{m.group(2)}（@{m.group(3)}）{m.group(4) or ''}{m.group(5)}", line, count=1)
    line = BRACKET_LABEL.sub(_bracket_label, line, count=1)
    line = BRACKET_SPEAKER.sub(_bracket_speaker, line, count=1)
    line = BILINGUAL_LABEL.sub(_bilingual_label, line, count=1)
    line = BILINGUAL_ASKER.sub(r"\1\g<zh>\g<zh2>", line, count=1)
    line = BARE_PAREN_LABEL.sub(r"\1\2 \4:\3 ", line, count=1)
    line = BARE_LABEL.sub(r"\1\2:\3 ", line, count=1)
    line = LEAD_MARK.sub(r"\1", line, count=1)
    return PLAIN_CHAT_SPEAKER.sub(r"\1**\2**：", line, count=1)


def _bilingual_label(m: re.Match) -> str:
    return m.group(1) + (m.group("zh") or m.group("zh2"))


def _bracket_label(m: re.Match) -> str:
    word = m.group(2).upper()
    label = "追问" if word == "追问" else "Q" if word in ("问题", "问", "提问", "Q") else "A"
    return f"{m.group(1)}{label}{m.group(3)}："


# Parsing is most of a post's reading time, and the same body is often read more than once in one ingest: a
# mirrored tree, a site that copies untranslated posts into each language's folder, one tree under two roots. So a
# process keeps the pieces of the bodies it parsed (pickled: the caller gets its own copy to change), by the body's
# hash and the profile's patterns (all that `pieces` reads), up to a bounded size.
PIECES_CACHE_BYTES = 48 * 2**20
_pieces_cache: OrderedDict[tuple, bytes] = OrderedDict()
_pieces_cache_size = 0


def pieces(body: str, profile: Profile = DEFAULT) -> tuple[list[Piece], list[str]]:
    """The post as a flat list of pieces, and warnings about its Markdown (an unclosed code fence)."""
    global _pieces_cache_size
    key = (hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest(),
           tuple((kind, tuple(r.pattern for r in rs)) for kind, rs in sorted(profile.patterns.items())))
    cached = _pieces_cache.get(key)
    if cached is not None:
        _pieces_cache.move_to_end(key)
        return pickle.loads(cached)
    reader = _Reader(join_definition_lists(strip_liquid(unwrap_containers(rendered_links(lead_attributes(body))))),
                     profile)
    result = reader.pieces(), reader.warnings
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) <= PIECES_CACHE_BYTES // 8:
        _pieces_cache[key] = data
        _pieces_cache_size += len(data)
        while _pieces_cache_size > PIECES_CACHE_BYTES:
            _pieces_cache_size -= len(_pieces_cache.popitem(last=False)[1])
    return result


TABLE_Q = re.compile(r"^(?:问题|提问|提问内容|问|Q|Questions?)$", re.I)
TABLE_A = re.compile(r"^(?:(?:回答|答复|解答|回复|答)(?:要点|摘要|概要)?|A|(?:Short\s+)?Answers?(?:\s+(?:in\s+brief|summary))?"
                     r"|Reply|Replies)$", re.I)           # (`回答要点`, `Answer summary`: the answer, put shortly; not a quiz's `答案`)
TABLE_AGAIN = re.compile(r"[（(]\s*(?:follow-?up|again|追问|再问)\s*[)）]", re.I)
TABLE_ASKER = re.compile(r"^(?:提问者|提问人|提问用户|用户|群友|网友|读者|Asker|Asked by|From|Who)$", re.I)


# a chat digest's message header: `**Odile Fournier** · Mon 09:12`, `**@kit** • 10:04`
CHAT_MESSAGE = re.compile(r"^(?:\*\*|__)@?(?P<name>[^*_\n]{1,40}?)(?:\*\*|__)\s*[·•]\s*[^\n]{1,30}$")


def _qa_table(block: list[Token], line: int) -> list[Piece]:
    """A table whose header names a question column and an answer column (and perhaps an asker column): each row
    an item. Any other table is a block of text."""
    rows, row = [], None
    for t in block:
        if t.type == "tr_open":
            row = []
        elif t.type == "inline" and row is not None:
            row.append((inline_text(t.children).strip(), t.content.strip(), inline_urls(t.children),
                        (t.map or (line - 1,))[0] + 1))
        elif t.type == "tr_close" and row is not None:
            rows.append(row)
            row = None
    if len(rows) < 2:
        return []
    head = [c[0].strip("* ") for c in rows[0]]
    col = {name: next((i for i, h in enumerate(head) if r.match(h)), None)
           for name, r in (("q", TABLE_Q), ("a", TABLE_A), ("asker", TABLE_ASKER))}
    if col["q"] is None or col["a"] is None:
        return []
    out = []
    for k, r in enumerate(rows[1:], 1):
        if (max(col["q"], col["a"]) >= len(r) or not r[col["q"]][0] or not r[col["a"]][0]
                or re.fullmatch(r"[\d\s,.]+", r[col["a"]][0])):
            continue                                   # (a `Replies` column that counts them answers nothing)
        q, a = r[col["q"]], r[col["a"]]
        who = r[col["asker"]][0] if col["asker"] is not None and col["asker"] < len(r) else ""
        asker = _name(who.lstrip("@ ")) if who else None
        named, q_text, q_md = _table_cell(q[0], q[1], QLINE)
        _, a_text, a_md = _table_cell(a[0], a[1], ANSWER)
        again = bool(TABLE_AGAIN.search(who))          # `@keeb_lou (follow-up)`: their next question, in the next row
        out.append(Piece("item", q_text, q_md, urls=q[2], line=line + k + 1, answer=a_text, answer_md=a_md,
                         full=f"{q[0]}\n{a[0]}", full_md=f"{q[1]}\n{a[1]}", lead="table again" if again else "table",
                         asker=asker or named))
    return out


ANSWERED_BY = re.compile(r"\s*[*_]*[（(]\s*(?:answered|replied)\s+by\s+@?[^()（）]{1,40}[)）][*_]*\s*$", re.I)


def _table_cell(text: str, md: str, label: re.Pattern) -> tuple[str | None, str, str]:
    """(asker, text, Markdown) of a Q&A table's cell: without its `**Q:**` / `**A:**` label, a line of its own that
    names the asker (`<br>*asked by @x in #help*`), or a trailing `*(answered by @y)*`."""
    asker = None
    kept_text, kept_md = [], []
    for i, (t, m) in enumerate(zip(text.split("\n"), BR.sub("\n", md).split("\n"), strict=False)):
        who = ASKER_LABEL.match(t.replace("*", "")) if i else None
        if who and not who.group("rest") and _plausible_name(who.group("name")):
            asker = _name(who.group("name"))
            continue
        kept_text.append(t)
        kept_md.append(m)
    text, md = "\n".join(kept_text).strip(), "\n".join(kept_md).strip()
    m = label.match(text.replace("*", ""))
    if m:
        text = text.replace("*", "")[m.start("rest") if "rest" in m.groupdict() else m.end():]
        md = re.sub(r"^\s*(?:\*\*|__)?[^:：]{0,12}[:：]\s*(?:\*\*|__)?\s*", "", md, count=1)
    return asker, ANSWERED_BY.sub("", text).strip(), ANSWERED_BY.sub("", md).strip()


def _blocks(tokens: list[Token]) -> Iterator[list[Token]]:
    """The top-level blocks of a token list, each as its tokens."""
    j = 0
    while j < len(tokens):
        e = _block_end(tokens, j)
        yield tokens[j:e + 1]
        j = e + 1


def _block_end(tokens: list[Token], i: int) -> int:
    """The index of the token that closes the block opened at i (i itself for a one-token block)."""
    if tokens[i].nesting != 1:
        return i
    depth, j = 0, i
    while j < len(tokens):
        depth += tokens[j].nesting
        if depth == 0:
            return j
        j += 1
    return len(tokens) - 1


def _dedent(lines: list[str]) -> list[str]:
    """A list item's lines without its marker and indentation."""
    if not lines:
        return []
    m = re.match(rf"^(\s*{LIST_MARKER}\s+)", lines[0])
    width = len(m.group(1)) if m else 0
    out = [lines[0][width:]]
    for ln in lines[1:]:
        strip = min(width, len(ln) - len(ln.lstrip(" ")))
        out.append(ln[strip:])
    return out


def _invisible(t: Token) -> bool:
    if t.type == "text":
        return not t.content.replace("*", "").replace("_", "").translate(INVISIBLE).strip()
    if t.type == "html_inline":
        return not html_text(t.content).strip() and not BR.fullmatch(t.content.strip())
    return t.type in ("softbreak",)


def _lead(children: list[Token]) -> tuple[str, list[Token], list[Token]] | None:
    """(kind, question tokens, rest tokens) when a list item's first paragraph is led by its question: a link
    (`[Why …?](url) …`), bold text (`**Why …?** …`), italic text that asks (`*Why …?*`) or, in plain text, words
    before a colon on the first line, or a first line that asks over the rest (`Why …?` / `Kofi explains …`)."""
    i = 0
    while i < len(children):
        t = children[i]
        if _invisible(t):
            i += 1
            continue
        if t.type in ("strong_open", "em_open"):
            # `**<!--anchor-->**` (empty bold) is an anchor, not a question
            close = _close(children, i)
            inner = children[i + 1:close]
            if all(_invisible(x) for x in inner):
                i = close + 1
                continue
            if t.type == "strong_open":
                return "bold", inner, children[close + 1:]
            if QUESTION_END.search(inline_text(inner).strip()):
                return "italic", inner, children[close + 1:]    # `- *Why does … remove my kernel?*` over its answer
            return None
        if t.type == "link_open":
            close = _close(children, i)
            return "link", children[i:close + 1], children[close + 1:]
        if t.type == "text" and t.content.lstrip().startswith("["):
            # `[Why …?]（url）`: a link CommonMark could not read (full-width parentheses) still leads with its text
            line = inline_text(children[i:]).split("\n")[0]
            m = re.match(r"^\s*\[(?P<q>[^\[\]]{3,300})\]\s*(?:[（(][^）)\s]*[）)])?", line)
            if m:
                return "link", [Token("text", "", 0, content=m.group("q"))], \
                    [Token("text", "", 0, content=inline_text(children[i:])[m.end():])]
            return None
        if t.type == "text":
            first = t.content.translate(INVISIBLE).replace("*", "")
            m = re.match(r"^(?P<q>[^:：\n]{3,150}?)(?::(?:\s|$)|：)", first)
            if m and not re.search(r"https?$", m.group("q")):
                after = first[m.end():]
                return "plain", [Token("text", "", 0, content=m.group("q"))], \
                    [Token("text", "", 0, content=after)] + children[i + 1:]
            whole = inline_text(children[i:]).strip()
            m = re.match(r"^(?P<q>[^\n]{3,200}?[?？])\s*[—–]{1,2}(?:\s+(?=\S)|\s*$)(?!\s*(?i:asked|submitted|sent)\b)", first)
            if m and not DASH_TRAILING.search(whole) and len(re.findall(f"[{CJK}]|\\w+", whole[m.end():])) >= 4:
                # `1. Does it run on Windows? — Official binaries ship since 0.15, but …`: a lightning round's
                # question and its answer on one line (not `…? — Gustavo P.`, who asked)
                return "plain", [Token("text", "", 0, content=m.group("q"))], \
                    [Token("text", "", 0, content=first[m.end():])] + children[i + 1:]
            if 3 <= len(whole) <= 300 and "\n" not in whole and QUESTION_END.search(whole):
                return "plain", children[i:], []      # `1. How do I …?` with its answer in the paragraphs below
            head, _, tail = whole.partition("\n")
            if 3 <= len(head) <= 200 and QUESTION_END.search(head) and tail.strip() and t.content.startswith(head):
                # `- Why can't a pruned node serve old blocks?` / `  Kofi Mensah explains that …`: a Selected Q&A
                # item with no link, its question on the first line and the summary below it
                return "plain", [Token("text", "", 0, content=head)], \
                    [Token("text", "", 0, content=t.content[len(head):].lstrip())] + children[i + 1:]
            return None
        return None
    return None


def _close(children: list[Token], i: int) -> int:
    depth = 0
    for j in range(i, len(children)):
        depth += children[j].nesting
        if depth == 0:
            return j
    return len(children) - 1


def _split_lead_md(md: str, kind: str) -> tuple[str, str]:
    """The Markdown of a question-led item cut into its question and the rest."""
    s = HTML_COMMENT.sub("", md).replace("\u200b", "")
    s = re.sub(r"^\s*(\*\*|__)\s*\1", "", s)            # the empty bold around an anchor
    i = 0
    if kind == "link":
        i = s.find("[")
        depth = 0
        for j in range(i, len(s)):
            if s[j] == "[":
                depth += 1
            elif s[j] == "]":
                depth -= 1
                if depth == 0:
                    i = j + 1
                    break
        if s[i:i + 1] == "(":
            i = s.find(")", i) + 1 or len(s)
        elif s[i:i + 1] == "[":
            i = s.find("]", i) + 1 or len(s)
    elif kind == "bold":
        m = re.match(r"^\s*(\*\*|__)(.+?)\1", s, re.S)
        i = m.end() if m else 0
    elif kind == "italic":
        m = re.match(r"^\s*([*_])(.+?)\1", s, re.S)
        i = m.end() if m else 0
    else:
        m = re.match(r"^[^:：\n]*[:：]", s)
        i = m.end() if m else 0
    q, a = s[:i].strip(), re.sub(r"^[\s:：\-–—]+", "", s[i:])
    return q, a.strip()


def _opens_item(text: str, profile: Profile) -> bool:
    """A line that begins an item by itself: an asker line, a `Q:` line or a group header."""
    return bool(_asker(text, text, profile) or QLINE.match(text) or ASKER_NONE.match(text)
                or (GROUP.match(text) and len(text) <= 120))


Q_NUMBER = re.compile(r"Q\s*\d", re.I)


def _asker_cue(text: str) -> bool:
    """What every asker pattern of `_asker_line` needs somewhere: an @, a colon or a dash after a label, 提问, `by`,
    a leading `From`, `Q1` (substring tests: this runs on most lines of every post)."""
    return ("@" in text or ":" in text or "：" in text or "—" in text or "–" in text or "提问" in text
            or "by" in text or "By" in text or "BY" in text or text.lstrip().startswith("From") or "来自" in text
            or " from " in text or "问的" in text or "「" in text
            or (("Q" in text or "q" in text) and bool(Q_NUMBER.search(text))))


def _asker(text: str, md: str, profile: Profile) -> tuple[str | None, str] | None:
    """(asker, rest of the line) when a line is an asker line (not one that says who answers: `**@pkrause** added:`,
    `Jonas Weber replied:`, `@felixb added in the thread: …`, `@周屿 回复：…`)."""
    found = _asker_line(text, md, profile)
    return None if found is not None and (REPLIED.match(text) or REPLIED_ON_LINE.match(text) or ADDED.match(text)
                                          or NAMED_ANSWER.match(text)) else found


def _asker_line(text: str, md: str, profile: Profile) -> tuple[str | None, str] | None:
    for r in profile.extra("asker"):
        m = r.match(text)
        if m and "name" in m.groupdict():
            return _name(m.group("name") or ""), (m.groupdict().get("rest") or "").strip()
    if not _asker_cue(text):
        return None                  # (most lines: every pattern below needs one of these)
    bold_led = BOLD_LED.match(md) is not None
    m = ASKER_LABEL.match(text) or ASKER_PREFIXED.match(text) or ASKER_QLABEL.match(text) or ASKER_ROLE.match(text) \
        or ((bold_led or ASKS_ALONE.search(text) or ASKS_QUOTING.search(text)) and ASKER_EN.match(text)) \
        or (ASKER_BOLD_ASKS.match(text) if bold_led and not QLINE.match(text) else None)   # (not `**读者问：**`)
    if m and (_plausible_name(m.group("name")) or ANONYMOUS.match(m.group("name"))):   # (`a user who has since …`)
        # `来自 @Tony王 的提问。` under a question heading: a full stop after the verb ends a sentence that says who
        # asked; no question of its own follows on the line
        return _name(m.group("name")), re.sub(r"^[。.！!]+$", "", (m.group("rest") or "").strip())
    m = PROSE_ASKER.search(text) if text.rstrip().endswith((":", "：")) else None
    if m:                        # `**From Discussions.** Dana Ruiz asked:`, `And one more, from a reader who …:`
        return (_name(m.group("name")) if m.group("name") else None), ""
    m = FROM_LABEL.match(text)
    if m and (bold_led or (not m.group("rest").strip() and (
            re.fullmatch(r"(?:[A-Z][\w.'’-]*(?:[ -][A-Z][\w.'’-]*){0,2}|@[\w.-]{2,30})", m.group("name"))
            or FROM_SOMEBODY.match(m.group("name"))))):
        # `**From Lucia M.:** Can I …?`, `**From a reader who asked us not to …:**`; `From Hyun-woo Park:`,
        # `From **@sunflowerseed**:`, `From a reader who didn't leave a name:` alone over the quoted letter (not
        # `From the changelog:`)
        name = m.group("name")
        return (None if re.match(r"(?i)(?:an?|one|another|the)\s", name) else _name(name)), m.group("rest").strip()
    if m := ASKED_LABEL_ONLY.match(text):
        return _name(m.group("name") or m.group("quoted")), ""
    for pattern in NAMING_LINES:
        if m := pattern.match(text):
            return _name(m.group("name")), (m.groupdict().get("rest") or "").strip()
    m = (READER_WRITES.match(text) or READER_ASKS_ZH.match(text) or ANON_LETTER.match(text) or HOST_RELAYS.match(text)
         or ((alone := SOMEONE_ASKED.match(text)) and (not alone.group("rest").strip()
                                                       or (bold_led and re.search(r"[?？]", alone.group("rest"))))
             and alone))
    if m:                                # `[44:05] An anonymous listener asks: "…?"`, `有观众问：…`: somebody, not named
        # (`**Someone on the list who didn't sign asks:** …?`: a bold label, the question after it)
        return None, m.group("rest").strip()
    m = ROLE_NAME_ALONE.match(text) if bold_led else None
    if m:                                # `**群友「小鱼干」**` alone over `问：…`
        return _name(m.group("name")), ""
    m = DASH_ASKED.match(text)
    if m:                                # `— asked by Lena Fischer (Northwind Logistics)`, `— asked anonymously …`
        return (_name(m.group("name")) if m.group("name") else None), ""
    m = QUESTION_FROM.match(text)
    if m and _plausible_name(m.group("name")):       # `> 这个问题来自 @海盐 在 issue #1520 中的提问。`
        return _name(m.group("name")), ""
    m = ASKED_FROM.match(text)
    if m:                        # `提问来自：GitHub Issue #4521 @deepfish`, `提问来自：技术交流群 3 群` (a place: nobody)
        return (_name("@" + m.group("name")) if m.group("name") else None), ""
    m = ASKER_ROLE_SAID.match(text)
    if m:
        return _name(m.group("name") or m.group("name2") or m.group("plain")), m.group("rest").strip()
    m = (ASKER_AT_SPACED.match(text) or ASKER_AT.match(text)) if not CODE_LED.match(md) else None
    if m and _plausible_name(m.group("name")):                  # (not `` `@scope` 和 CSS Modules …``: code)
        first, _, more = re.sub(r"\s*[（(][^()（）]*[)）]\s*$", "", m.group("name")).partition(" ")
        if more and re.search(rf"[{CJK}]", more):
            # `@张三 在群里提问`: the name is 张三 (`@John Deng` stays, and `@Chen Hao（某券商架构组）`)
            return _name("@" + first), ""
        rest = (m.groupdict().get("rest") or "").strip()
        rest = re.sub(r"^[·•|].*$", "", rest)      # `@haruto-s · 5 comments · ✔ Answered`: a forum's metadata
        q = QLINE.match(rest)                       # `@name Q1：…`: the label is not the question
        rest = q.group("rest") if q else re.sub(r"^(?:Q\s*\d{0,2}|问)\s*[:：]\s*$", "", rest, flags=re.I)
        # `@name 在群里提问：`, `@name 问道：`: words around the verb, not the question
        rest = re.sub(r"^[^，,。？?]{0,12}?(?:提问|提出|问道|问)\s*[:：]\s*", "", rest)
        rest = re.sub(r"^(?:\s*[、，,和及与]\s*@[^\s@、，,:：]{1,30})+\s*(?:也|都)?问(?:到|过|了)?\s*[:：]\s*", "", rest)   # (`@a、@b 都问到：…`: the first)
        rest = re.sub(r"^(?:asks?|asked|wonders|wondered|writes|wrote)\b(?:\s+(?:in|on|via)\s+[^:：]{1,60}[:：])?\s*[:：]?\s*", "",
                      rest, flags=re.I)                # (`@x asked in *Help › Performance*:`: where, not what)
        rest = re.sub(r"^(?:on|in|at)\s+[^:：?？]{1,40}?\s*[·•|].*$", "", rest)   # (`@x asked on Apr 3 · 🔼 12`)
        rest = re.sub(r"^(?:提交于|发布于|提出于|创建于|反馈于)\s*[^（(\n：:?？]{1,20}?\s*(?:[（(][^()（）\n]*[)）])?\s*$", "",
                      rest)                            # (`**@x** 提交于 8 月 5 日` over a quoted issue: when, not what)
        if re.match(rf"[{CJK}]{{2,}}[^:：?？]*[:：]", rest) and not re.search(r"[?？]", rest):
            return None              # `@kevin-z 整理了用户调研结果：…`: what someone did, in the minutes; no question
        return _name("@" + m.group("name")), rest
    if ASKER_NONE.match(text):
        return None
    m = ASKER_NAMED.match(text) or (md.lstrip().startswith(("**", "__")) and ASKER_SPACED.match(text))
    if m and _plausible_name(m.group("name")):
        return _name(m.group("name")), ""
    return None


def _all_link_lines(block: list[Token]) -> bool:
    texts = [inline_text(t.children).strip() for t in block if t.type == "inline"]
    return bool(texts) and all(LINK_LINE.match(x) and not LINK_LINE.match(x).group("label").strip()[:1].isdigit()
                               for x in texts)


def _closes_fence(last: str, markup: str, start: int, end: int) -> bool:
    return end - start >= 2 and last.strip().startswith(markup[:3]) and set(last.strip()) <= set(markup[0])


CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"


def unwrap(text: str) -> str:
    """A paragraph's soft line breaks as the reader sees them: a space between words, nothing between CJK
    characters."""
    text = re.sub(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])", "", text)
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)


def _block_text(block: list[Token], wrap: bool = True) -> list[str]:
    texts, number = [], ""
    for t in block:
        if t.type == "list_item_open" and t.info:          # `3.` of an ordered list is part of what was said
            number = f"{t.info}{t.markup} "
        elif t.type == "inline":
            texts.append(number + (inline_text(t.children) if wrap else unwrap(inline_text(t.children))))
            number = ""
        elif t.type in ("fence", "code_block"):
            texts.append(t.content.rstrip("\n"))
        elif t.type == "html_block":
            texts.append(html_text(t.content).strip())
    return [s for s in texts if s.strip()]


# ---------------------------------------------------------------------------------------------- pieces to threads

def extract(post: Post, registry: Registry, profile: Profile | None = None) -> tuple[list[Thread], list[str]]:
    """The Q&A threads of a post, and warnings (a Q&A heading with nothing extracted, Markdown problems)."""
    threads, warnings, _ = _run(post, registry, profile)
    return threads, warnings


def explain(post: Post, registry: Registry, profile: Profile | None = None) -> dict:
    """How a post was read, for `qa-archive inspect`: the Q&A sections found, each item's asker, question and
    answer (with the body lines they came from), and every other part with the reason it was skipped."""
    threads, warnings, log = _run(post, registry, profile)
    by_item = {id(it): th for it, th in log["pairs"]}
    shift = (post.body_line or 1) - 1             # body lines to file lines
    items = []
    for it in log["items"]:
        th = by_item.get(id(it))
        items.append({
            "kept": th is not None,
            "asker": th.asker if th else it.asker,
            "question": th.question if th else " ".join(" ".join(t[0]) for t in it.turns[:1]),
            "answer": th.answer if th else None,
            "turns": len(th.turns) if th else len(it.turns),
            "projects": th.projects if th else [],
            "links": th.links if th else [],
            "parts": [{"line": ln + shift, "role": role, "text": text[:160]} for ln, role, text in it.trace],
            "reason": None if th else "no answer was found for its question",
        })
    return {"source": post.source, "title": post.title, "date": post.date, "community": post.community,
            "sections": [dict(s, line=s["line"] + shift) for s in log["sections"]], "items": items,
            "skipped": [{"line": ln + shift, "text": text[:160], "reason": why} for ln, text, why in log["skipped"]],
            # the post's own warnings (its front matter) first, then the extractor's
            "warnings": list(dict.fromkeys([*(post.warnings or []), *warnings])), "threads": len(threads)}


def _run(post: Post, registry: Registry, profile: Profile | None):
    profile = profile or (post.profile if isinstance(post.profile, Profile) else None) or DEFAULT
    if profile.projects:
        registry = Registry.load(profile.projects)    # the community's own registry, instead of the shared one
    parts, warnings = pieces(post.body, profile)
    parts = _join_split_link_lines(_split_quotes(parts, registry, profile), registry)
    speakers = _plain_speakers(parts, registry, profile)
    items: list[_Item] = []
    all_items: list[_Item] = []
    log = {"sections": [], "skipped": [], "items": all_items, "pairs": []}
    group: _Group | None = None
    item: _Item | None = None
    # A post whose title names it a Q&A (`Stack Overflow roundup`, `读者来信 | 第 7 期`) and none of whose headings
    # does is a Q&A throughout: as if under a heading of level 1
    whole_post = is_qa_heading(post.title or "", profile) and not any(
        p.kind == "heading" and p.text and is_qa_heading(p.text, profile) for p in parts)
    in_qa = whole_post
    titled_qa = is_qa_heading(post.title or "", profile)
    # A question heading with two or more question headings under it is the editors' section, not a question, and
    # so are the question headings of its level (`## Why do we do these posts?` over `### Does … ?`, then `## What's
    # next?`)
    section_levels = _question_section_levels(parts)
    # question headings numbered as a series (`## 1. Will v2 plugins keep working?` … `## 5. …`): an unnumbered one
    # of their level (`## Why did we build v3 at all?`, `## What's next?`) is the editors', not one of the series
    numbered = Counter(p.level for p in parts if p.kind == "heading" and _has_number(p.text)
                       and QUESTION_END.search(heading_question(re.sub(rf"^{NUM}", "", p.text.replace("*", "")))[0]))
    numbered_levels = frozenset(lv for lv, k in numbered.items() if k >= 2)
    qa_level = 1 if whole_post else 0   # the heading level of the Q&A section we are in (0: none, or a bold line)
    qa_heading_seen = False
    section = 0
    editorial = False           # in the editors' own section (releases, events, reading): no asker starts an item
    editorial_level = 0

    def skip(p: Piece, why: str):
        text = p.text if p.kind != "item" else p.full
        if text.strip() or p.md.strip():
            log["skipped"].append((p.line, (text or p.md).strip().split("\n")[0], why))

    def note(p: Piece, role: str, text: str | None = None):
        if item is not None:
            item.trace.append((p.line, role, (text if text is not None else p.text).strip().split("\n")[0]))

    shared: list[_Item] | None = None    # after `以下两个问题一起回答：`, the questions waiting for the one answer

    def close_item():
        nonlocal item, shared
        if item is not None and len(item.turns) == 1 and item.turns[0][2] and _deferred(" ".join(item.turns[0][2])):
            log["skipped"].append((item.trace[0][0] if item.trace else 0, "", "the answer only puts it off"))
            item = None                  # `这个问题比较大，我们下期专门聊。`: asked, but not answered
        if item is not None and item.listed and not any(re.sub(r"^\s*[（(][^()（）]{0,12}[)）]\s*$", "", x).strip()
                                                        for t in item.turns for x in t[2] or []):
            item = None        # a list of question titles (`FAQ 更新`, open questions; `（新增）`): nothing answered
        if (item is not None and len(item.turns) == 1 and item.turns[0][0]
                and NOT_A_QUESTION.match(item.turns[0][0][0]) and not re.search(r"[?？]", " ".join(item.turns[0][0]))):
            log["skipped"].append((item.trace[0][0] if item.trace else 0, "", "it says it asks nothing"))
            item = None                  # `**Q (Sven):** Not really a question, more a comment: thank you …`
        if item is not None and item.turns and item.turns[0][0] and POLL.match(item.turns[0][0][0]):
            log["skipped"].append((item.trace[0][0] if item.trace else 0, "", "a poll, not a question"))
            item = None                  # `📊 投票｜下个版本你最想要哪个功能？` over its options
        earlier = _asked_before(items, item) if item is not None else None
        if earlier is not None:          # `[@mo_sec] Follow-up to my earlier question: …` two items further on
            q = item.turns[0]
            q[0][0], q[1][0] = EARLIER_QUESTION.sub("", q[0][0], count=1), EARLIER_QUESTION.sub("", q[1][0], count=1)
            earlier.turns.append(q)
            earlier.trace.extend(item.trace)
            item = None
        if shared is not None and item is not None and not any(t[2] for t in item.turns) and item.turns[0][0]:
            shared.append(item)          # a question that shares the next one's answer
            item = None
            return
        if shared is not None and item is not None and item.turns[0][2]:
            for waiting in shared:       # (each keeps its own question and asker; the answer is the one given)
                waiting.turns[0][2], waiting.turns[0][3] = list(item.turns[0][2]), list(item.turns[0][3] or [])
                items.append(waiting)
                if waiting.group:
                    waiting.group.items.append(waiting)
            shared = None
        if (item is not None and (any(t[2] for t in item.turns) or (item.done and any(t[0] for t in item.turns)))
                and not any(it is item for it in items)):    # (a thread reopened for a follow-up is there already)
            items.append(item)
            if item.group:
                item.group.items.append(item)
        item = None

    def close_all():
        nonlocal group, section, shared
        close_item()
        group, shared = None, None
        section += 1

    def start_item(asker, p: Piece, numbered=True):
        nonlocal item, group
        close_item()
        if numbered and group is not None and _has_number(p.text.lstrip("* ")):
            group = None          # `**3、@name**` (or `**3、提问：**`) ends the group `**2、关于 …**`
        item = _Item(asker=asker, group=group, section=section)
        all_items.append(item)

    def enter_section(p: Piece, level: int):
        nonlocal in_qa, qa_level, qa_heading_seen
        in_qa, qa_level = True, level
        qa_heading_seen = True
        log["sections"].append({"line": p.line, "heading": p.text})

    def set_question(p: Piece, text: str, md: str, complete: bool):
        t = item.turn()
        t[0].append(text)
        t[1].append(md)
        item.quoted = complete
        note(p, "question", text)

    def reopen_followers_thread(text: str) -> None:
        """A follow-up that names who follows up (`王小二 追问：`, `Marcus followed up:`) after another asker's thread
        is a turn of the follower's own earlier thread in this section: that thread is reopened (where it stands
        among the threads) and becomes the current item."""
        nonlocal item
        who = FOLLOWER.match(text)
        who = _name(who.group("name")) if who else None
        if not who or who == item.asker:
            return
        earlier = next((it for it in reversed(items) if it.asker == who and it.section == section), None)
        if earlier is not None:
            close_item()
            item = earlier

    def ask_again(p: Piece, text: str, md: str, complete: bool = True):
        """The asker's next question in the same thread (a follow-up): a turn of its own (with its answer, when
        the line holds both: `**追问（@x）：** …？ **A：** …`)."""
        item.turns.append([[text], [md], None, None])
        item.quoted, item.done, item.again = complete, False, False
        note(p, "follow-up", text)
        answer_on_the_line(p, text, md)

    def answer_by_paragraph(p: Piece) -> bool:
        """A listed question's answer read paragraph by paragraph, when a paragraph of it is labelled as it would
        be outside a list: `**追问：** …` (the next turn), `**闻笛补充：** …` (a second answerer: no label), a
        project link line (the item's link, not answer text); the answer to a follow-up loses its label
        (`**Answer:** …`). False, and nothing done, when none is."""
        paras = list_paragraphs(p.answer_md)
        # (the first paragraph is the answer itself, whatever it links: `Yes: [birch-output-s3](…)`)
        links = [None if code or i == 0 else _link_line(
                     Piece("line", t, md, urls=inline_urls(_md.parseInline(md)[0].children)), registry, profile)
                 for i, (t, md, code) in enumerate(paras)]
        if not any(not code and (FOLLOW_UP.match(t) or ADDED.match(t)) for t, _, code in paras) and not any(links):
            return False
        for (t, md, code), link in zip(paras, links, strict=True):
            if not code and (m := FOLLOW_UP.match(t)):
                ask_again(p, m.group("rest"), after_label(md, bold=True),
                          ends_question(m.group("rest")))
            elif link:
                item.links.append(link)
                note(p, "link", t)
            elif not code and (m := ADDED.match(t)):
                start_answer(p, t[m.end():], after_label(md, bold=True))
            elif not code and len(item.turns) > 1 and item.turn()[2] is None and (m := ANSWER.match(t)):
                start_answer(p, t[m.end():], ANSWER_MD.sub("", md, count=1))
            else:
                start_answer(p, t, md)
        return True

    def answer_on_the_line(p: Piece, text: str, md: str) -> bool:
        """`…？ **A：** …` after the question on one line: the question ends at its mark, the answer follows."""
        inline = INLINE_ANSWER.search(text)
        inline_md = INLINE_ANSWER.search(md) if inline else None
        if not (inline and inline_md):
            return False
        t = item.turn()
        t[0][-1], t[1][-1] = text[:inline.end("mark")], md[:inline_md.end("mark")]   # (the question's mark, or the
                                                                                       # sentence after it)
        item.quoted = True
        start_answer(p, text[inline.end():], md[inline_md.end():])
        return True

    def start_answer(p: Piece, text: str, md: str, role="answer"):
        t = item.turn()
        if t[2] is None:
            t[2], t[3] = [], []
        t[2].append(text)
        t[3].append(md)
        note(p, role, text)

    skip_to, skip_why = -1, ""          # the rest of a paragraph left out: a signature, a host's words
    for n, p in enumerate(parts):
        if n <= skip_to:
            skip(p, skip_why)
            continue
        if (p.kind in ("line", "quote") and SECTION_INTRO.match(p.text)
                and (item is None or item.done or not item.turn()[0] or item.turn()[2] is not None)):
            skip_to, skip_why = _paragraph_end(parts, n), "the editors' introduction"   # `> 以下内容整理自…`
            skip(p, skip_why)
            continue
        if p.kind == "line" and SIGNATURE.match(p.text) and item is not None and item.turn()[2] is not None:
            skip_to, skip_why = _paragraph_end(parts, n), "a signature"    # `--` over a name, under a mailed answer
            skip(p, skip_why)
            continue
        if (p.kind == "line" and in_qa and (m := SPEAKER_MD.match(p.md) or PLAIN_SPEAKER.match(p.text))
                and HOST.fullmatch(m.group("name").strip()) and not QUESTION_END.search(parts[_paragraph_end(parts, n)].text)
                and (item is None or item.done or not item.turn()[0] or item.turn()[2] is not None)):
            skip_to, skip_why = _paragraph_end(parts, n), "the host's words"     # `**Moderator (Lise):** Welcome!`
            skip(p, skip_why)
            continue
        if p.kind == "heading" and VOTES_LEAD.match(p.text):
            p = replace(p, text=VOTES_LEAD.sub("", p.text, count=1), md=VOTES_LEAD.sub("", p.md, count=1))
        if p.kind == "heading":                           # (`### ▲ 31 · [Why does …?](…)`: the votes go first)
            text = p.text.replace("*", "")
            if (item is not None and not item.done and item.turn()[2] is not None
                    and (fq := FOLLOW_UP_Q_HEADING.match(text))):
                ask_again(p, fq.group("rest"), after_label(p.md.lstrip("# "), bold=True))
                continue
            asker = _asker(text, p.md.lstrip("# "), profile) if text and not editorial else None
            if asker is None and text and not editorial and (lead := ORDINAL_HEADING.match(text)):
                asker = _asker(text[lead.end():], text[lead.end():], profile)   # `#### 第 1 问 · 来自 @晴川`
                asker = asker if asker is not None and not asker[1] else None
            if asker is not None and is_qa_heading(text, profile) and not QUESTION_FROM_EN.match(text):
                asker = None                              # `## 观众提问` names a section, not an asker (`### Question
                                                          # from Rafael Souza (Orbitly)` names who asked)
            if asker is None and in_qa and not editorial and (hf := HEADING_ASKER_ONLY.match(text)):
                asker = (None if hf.group("anon") else _name(hf.group("name")), "")   # `### From nozzlehead`,
                                                          # `### Question 2 — Ahmed Farouk` inside a Q&A section
            if asker is not None:                         # `### @name 提问`
                start_item(asker[0], p)
                note(p, "asker", text)
                if not in_qa:
                    in_qa = True
                if asker[1] and not re.fullmatch(r"[:：#\d\s]*", asker[1]):
                    set_question(p, asker[1], asker[1], bool(QUESTION_END.search(asker[1])))
                continue
            if (item is not None and not item.done and item.turn()[0] and item.turn()[2] is None
                    and ANSWER_HEADING.fullmatch(text.strip())):
                start_answer(p, "", "")                   # `#### 回答` over the answer to `#### 问题 1：…？`
                continue
            if in_qa and QUESTION_HEADING.fullmatch(text.strip()) and _label_pair(parts, n):
                close_item()                              # `#### 问` over the question's paragraph
                start_item(None, p, numbered=False)
                item.heading = p.level
                note(p, "question", text)
                continue
            if (in_qa and item is not None and not item.done and item.turn()[2] is not None
                    and FOLLOW_UP_HEADING.fullmatch(text.strip()) and _label_pair(parts, n)):
                item.again = True                         # `#### 追问` over the asker's next question
                note(p, "follow-up", text)
                continue
            m = QLINE.match(text)
            if (item is not None and item.heading and p.level > item.heading and text and not m
                    and not QUESTION_END.search(text) and not _editorial(text)):
                _append(item, Piece("line", text, p.md, line=p.line))   # `#### Example` inside the answer
                note(p, "answer" if item.turn()[2] is not None else "question")
                continue
            if m and (in_qa or QUESTION_END.search(text)):
                close_item()                              # `## Q: …?` at any level: a question of its own
                lead = HEADING_LEAD_ASKER.match(m.group("rest"))
                rest = m.group("rest")[lead.end():] if lead else m.group("rest")
                start_item(_name(lead.group("name")) if lead else None, p, numbered=False)   # (`### Q1 @陈默：…？`)
                item.heading, item.urls = p.level, list(p.urls)     # `### [How to …?](…/discussions/812)`
                set_question(p, rest, rest, True)
                in_qa, qa_level = True, qa_level or p.level - 1
                continue
            if in_qa and SALUTATION.fullmatch(text.strip()):
                close_item()                              # `### Dear Hilde,` over a reader's letter
                start_item(None, p, numbered=False)
                note(p, "asker", text)
                continue
            if not in_qa and REPLY_SUBJECT.match(text) and p.level > 1 and not editorial:
                in_qa, qa_level = True, p.level - 1       # `### Re: Task priorities on SQS`: a list digest's thread
            if in_qa and qa_level and p.level > qa_level and text and not _editorial(text) \
                    and not NOT_QA_HEADING.search(text):
                # inside a Q&A section: a heading that is a question starts an item, any other is a topic
                close_item()
                m = QLINE.match(text)
                q, who = heading_question(re.sub(rf"^{NUM}", "", m.group("rest") if m else text))
                linked = bool(p.urls) and LINKED_HEADING.fullmatch(p.md) is not None   # `### [Compiler fails …](…/4152)`
                described = _described_below(parts, n, profile,   # `### 1. 定时任务被执行了两次` over `**问题描述：** …`
                                             asks=bool(m or TITLE_ASKS.search(q) or linked))
                # (a question mark ends the question, or one of its sentences: `2. 可以…吗？我想英文用…。`)
                if (m or TITLE_ASKS.search(q) or linked or described) and not (who is None and p.level in section_levels) \
                        and not REPLY_SUBJECT.match(text) \
                        and not MORE_QUESTIONS.match(q) and not (p.level in numbered_levels and not _has_number(text)):
                    start_item(who, p, numbered=False)
                    item.heading, item.urls, item.named_in_heading = p.level, list(p.urls), who is not None
                    set_question(p, q, q, not described)
                else:
                    close_all()
                    group = _Group(topic=text)
                    log["sections"].append({"line": p.line, "heading": text, "topic": True})
                continue
            close_all()
            if not p.text and qa_level:
                continue                                  # a rule between the items of a Q&A section
            in_qa, qa_level = False, 0
            if is_qa_heading(p.text, profile) and not _anticipated(parts, n):
                enter_section(p, p.level or 1)
                editorial = False
            elif p.text:
                skip(p, "a heading that does not start a Q&A section")
                if _editorial(p.text):
                    editorial, editorial_level = True, p.level or 1
                elif not (editorial and p.level > editorial_level):
                    editorial = False
            continue
        if (p.kind == "item" and p.lead == "table again" and item is not None and item.asker and item.asker == p.asker
                and item.turn()[2] is not None):
            ask_again(p, p.text, p.md)                   # a table row marked `(follow-up)` by the same asker
            start_answer(p, p.answer, p.answer_md)
            continue
        if p.kind == "item" and item is not None and not item.done and not item.listed and not p.lead.startswith("table") \
                and (ANSWER.match(p.full) or ANSWER_BY.match(p.full) or FOLLOW_UP.match(p.full)):
            # `- 回复（@杨帆）：…` / `- 再问：…` nested under the question: a labelled line, not a list in the question
            p = Piece("line", p.full, LIST_MARK.sub("", p.full_md, count=1), line=p.line)
        if (p.kind == "item" and p.lead == "plain" and p.text in speakers and item is not None and not item.done
                and not item.listed and item.turn()[0]):
            t = item.turn()                              # `- Tomás: Not reliably. …` nested under the question: the
            if t[2] is None:                             # answer, its speaker's name dropped (another speaker's
                start_answer(p, p.answer, p.answer_md)   # words under it go on with the answer)
                item.answerer = _name(p.text)
            else:
                _append(item, Piece("block", p.answer, p.answer_md, line=p.line))
                note(p, "answer", p.answer)
            continue
        if p.kind == "item":
            if p.lead.startswith("table"):
                close_item()                             # a row of a Q&A table is an item of its own
            if item is not None and not item.done and not item.listed:
                _append(item, Piece("block", p.full, p.full_md, line=p.line), listed=True)    # a list inside an answer
                note(p, "answer" if item.turn()[2] is not None else "question", p.full)
                continue
            if not in_qa and not p.lead.startswith("table"):         # (a table whose header names question and answer is a
                skip(p, "a list item outside any Q&A section")    # Q&A, whatever its section is called)
                continue
            if p.lead == "plain" and not QUESTION_END.search(p.text) and "\n" not in p.answer and len(p.answer) <= 60:
                skip(p, "a label over a short line, not a question")   # `- 使用问题：[GitHub Discussions](…)`
                continue
            lead = LEAD_HANDLE.match(p.text)
            start_item(p.asker or (_name(lead.group("name")) if lead else None), p, numbered=False)
            item.listed = True
            item.urls = list(p.urls)
            item.refs = list(p.refs)
            if lead:                                     # `1. **[@mo_sec] Does … ?**`: who asked, then the question
                set_question(p, p.text[lead.end():], LEAD_HANDLE_MD.sub("", p.md, count=1), True)
            else:
                set_question(p, p.text, p.md, True)
            if not answer_by_paragraph(p):
                start_answer(p, p.answer, p.answer_md)
            continue
        if item is not None and item.listed:
            item.done = True                              # the list ended: its last item is complete
        if p.kind == "line":
            # stray emphasis markers (`**1、@name **提问：` is not bold in CommonMark) are gone already (`inline_text`):
            text = p.text      # (inline_text left no emphasis marker: a `*` is code's, `*/10 * * * * ?`)
            if (in_qa and item is not None and not item.done and item.turn()[0] and item.turn()[2] is None
                    and (many := MANY_ASKED.match(text))):
                item.asker = item.asker or _name(many.group("first"))      # `（@张一帆、@Bruce_W 本周都问到了类似
                note(p, "asker", text)                                     # 问题，这里合并回答）`: the first is named
                continue
            if in_qa and SHARED_ANSWER.search(text) and not re.search(r"[?？]", text) and not QLINE.match(text):
                close_item()                             # `以下两个问题一起回答：`, `These two … have the same
                shared = []                              # answer`: the questions below wait for one answer
                skip(p, "the editor's note: the questions below share one answer")
                continue
            if (sp := SPEAKER_MD.match(p.md)) and INTERVIEWER.fullmatch(sp.group("name").strip()):
                close_item()                             # an interview's `**Interviewer:** …?`: the editors' own
                skip(p, "an interviewer's question, not a reader's")    # question; the reply below is no answer
                continue                                 # to a reader (it is left outside any item)
            if (item is not None and not item.done and item.turn()[2] is not None and (sp := SPEAKER_MD.match(p.md))
                    and sp.group("name").strip().startswith("@") and MAINTAINER_ROLE.search(sp.group(0))):
                start_answer(p, after_label(p.text), p.md[sp.end():])   # `**@廖七（性能组）**：补充一点…` under
                continue                                 # another maintainer's answer: more of the answer
            if EDITOR_POINTER.match(text):              # `相关阅读：…`, `往期回顾：…？` are the editor's
                if item is not None:
                    item.done = True
                skip(p, "an editor's pointer, not part of a thread")
                continue
            m = REPLY.match(text) if item is not None and not item.done and item.turn()[0] and REPLY_MARK.match(text) else None
            if m and text.lstrip().startswith("→") and URL_ONLY.match(m.group("rest")):
                m = None                                 # `→ twctl: https://…`: a link line, not somebody's reply
            if m:
                name, rest = _name(m.group("name")), m.group("rest")
                rest_md = re.sub(r"^[^:：]*[:：]\s*(?:\*\*|__|\*|_)?\s*", "", p.md, count=1).strip()
                if name and name == item.asker:
                    if item.turn()[2] is not None and ends_question(rest):
                        ask_again(p, rest, rest_md)              # the asker asks again
                    elif item.turn()[2] is None:
                        _append(item, Piece("line", rest, rest_md, line=p.line))
                    else:
                        skip(p, "the asker's thanks, not a question")
                elif _me_too(rest):
                    skip(p, "a me-too reply")
                else:
                    item.answerer = item.answerer or name
                    start_answer(p, rest, rest_md)
                continue
            if item is not None and not item.done and item.turn()[2] is None and item.quoted and UNANSWERED.match(text):
                skip(p, "the question has no answer yet")
                item = None                              # an open question is not a thread
                continue
            m = FLOOR.match(text) if not editorial and text.lstrip()[:1].isdigit() else None
            if m:
                name, rest = _name(m.group("name") or "") if m.group("name") else None, m.group("rest")
                rest_md = after_label(p.md.replace("**", "")).strip()
                op = m.group("role") in ("楼主", "题主")
                if m.group("n") == "1" or (op and item is None):
                    start_item(name, p, numbered=False)  # the first floor: the question
                    note(p, "asker", text)
                    in_qa = True
                    set_question(p, rest, rest_md, True)
                elif item is None or item.done:
                    skip(p, "a floor outside any thread")
                elif op or (name and name == item.asker):
                    if item.turn()[2] is not None and ends_question(rest):
                        ask_again(p, rest, rest_md)              # the one who asked asks again
                    else:
                        skip(p, "the asker's thanks, not a question")
                elif _me_too(rest):
                    skip(p, "a me-too reply")
                else:
                    start_answer(p, rest, rest_md)
                continue
            m = SPEAKER_MD.match(p.md) if (item is not None and not item.done and item.turn()[0]
                                           and not FOLLOW_UP_ALONE.match(text)) else None   # (`**@x** (follow-up):`)
            if m and _has_replies(parts, n):
                m = None                                  # (a message with replies below opens a thread of its own)
            if m and item.turn()[2] is not None and re.fullmatch(r"\s*[（(][^()（）]*[)）]\s*", after_label(p.text)):
                skip(p, "an aside in the chat, not an answer")      # `**ren (core):** (back in 5, coffee)`
                continue
            if m and (m.group("name").strip().startswith("@") or p.lead == "chat" or (
                    item.answerer and item.turn()[2] is not None and _name(m.group("name").strip()) == item.answerer)) \
                    and not re.search(r"提问|问题|#\s*\d", text[:len(text) - len(after_label(text)) + LABEL_TAIL]):
                # (`**@x** 提问 #123：` heads an issue of a digest, its words on the label or just after it; a `#1011`
                # further on is a message's reference)
                # `**@maintainer**：…` (or any timed message of a chat log) in a dialogue: the one answering, the
                # asker again (a follow-up, unless it only thanks), somebody saying "me too", or else a new asker
                speaker, said = _name(m.group("name").strip().lstrip("@")), p.md[m.end():]
                said_text = after_label(p.text)
                answered = item.turn()[2] is not None
                if speaker is not None and speaker == item.asker and not answered and ends_question(said_text):
                    item.turn()[0].append(said_text)      # `**[10:14] @x:** …` twice in a row, asking: one question
                    item.turn()[1].append(said)           # sent as two messages (not `_append`: after a question that
                    note(p, "question", text)             # ended, a line is its answer; and `Fixed it myself: …`
                    continue                              # is the asker's own answer)
                if speaker is not None and speaker == item.asker and answered:
                    if _thanks(said_text) and not re.search(r"[?？]", parts[_paragraph_end(parts, n)].text):
                        skip(p, "the asker's thanks, not a question")
                    else:
                        ask_again(p, said_text, said)
                    continue
                if speaker != item.asker and _me_too(said_text):
                    skip(p, "a me-too reply")             # `**[10:13] 小猪佩奇的爸爸**：+1，我们也遇到过`
                    continue
                if (not answered and not ends_question(parts[_paragraph_end(parts, n)].text)) or (
                        answered and speaker is not None and speaker == item.answerer):
                    item.answerer = speaker           # (one who asks, under an issue's title, tells the question)
                    start_answer(p, said_text, said)
                    continue
            if m and item.turn()[2] is not None and _name(m.group("name")) == item.asker:
                if _thanks(after_label(p.text)) and not re.search(r"[?？]", parts[_paragraph_end(parts, n)].text):
                    skip(p, "the asker's thanks, not a question")    # `**ravenfeather**: works perfectly, thank you!!`
                else:
                    ask_again(p, after_label(p.text), p.md[m.end():])   # `**asker**：…` again
                continue
            timed = TIMED_ASK.match(text) if in_qa and not editorial and (
                item is None or item.done or item.turn()[2] is not None) else None
            if timed and ends_question(parts[_paragraph_end(parts, n)].text.rstrip(QUOTES + " ")):
                close_item()                             # `49:30 — Priya (Lisbon): "You keep saying …?"` in a
                start_item(timed_asker(timed.group("who")), p, numbered=False)    # show's notes: a listener asks
                note(p, "asker", text)
                rest = timed.group("rest").lstrip(QUOTES + " ")
                whole = _paragraph_end(parts, n) == n
                set_question(p, rest.rstrip(QUOTES + " ") if whole else rest,
                             after_label(p.md), whole)
                item.unquote = not whole and timed.group("rest")[:1] in QUOTES
                continue
            if (item is not None and item.asker and item.turn()[2] is not None and (again := REPLY_TO_AUTHOR.match(text))
                    and _name(again.group("name")) == item.asker):
                item.again = True                        # `🐳 蓝鲸不流泪（回复作者）` over their next comment
                note(p, "follow-up", text)
                continue
            by = REPLY_BY.match(text.replace("*", "")) if item is not None and not item.done and item.turn()[0] else None
            if by and item.turn()[2] is None:
                item.answerer = _name(by.group("name"))   # `↳ **kmorrow** (Driftwood creator)` over the quoted reply
                start_answer(p, "", "", role="answerer")
                continue
            if by:                                       # a reply under the answer: `↳↳ jvandermeer` (who asked:
                item.again = _name(by.group("name")) == item.asker   # their next question), `↳ sable_ito` (more
                item.replying = not item.again           # answer), quoted below
                note(p, "follow-up" if item.again else "answerer", text)
                continue
            if item is not None and not item.listed and item.turn()[2] is not None and (
                    FOLLOW_UP_ALONE.match(text) or FOLLOW_UP_SIGNED.match(text) or FOLLOW_UP_FROM.match(text)):
                reopen_followers_thread(text)            # `王小二 追问：` after Lena's thread: a turn of 王小二's
                item.again = True                        # `Marcus followed up:`, `**@阿蒙** 追问：`: the question below
                note(p, "follow-up", text)
                continue
            if (item is not None and item.again and item.turn()[2] is not None and not QLINE.match(text)
                    and not ANSWER.match(text)):        # the question under `**@阿蒙** 追问：`
                ask_again(p, text, p.md, ends_question(parts[_paragraph_end(parts, n)].text))
                continue
            m = FOLLOW_UP.match(text)
            if m and item is not None and not item.listed and item.turn()[2] is not None:
                reopen_followers_thread(text)    # (`**@x followed up:** …?` after y's thread: a turn of x's)
                whole = _paragraph_end(parts, n) == n or ends_question(m.group("rest"))   # (`追问：…` over two lines)
                ask_again(p, m.group("rest"), after_label(p.md), whole)   # `@asker 追问：…`
                continue
            unnumbered = NUMBER_LEAD.sub("", p.md) if in_qa and not editorial else ""   # (`1. **观众 Jason**：…？`)
            m = SPEAKER_MD.match(unnumbered) if unnumbered else None
            last = _paragraph_end(parts, n) if m else n    # (a question wrapped over lines ends with the paragraph)
            replied = bool(m) and _has_replies(parts, n)
            # the first message under a chat recap's topic heading, answered by a reply below it, asks whatever
            # its punctuation (`**mossy_dev**: my character jitters … I'm moving it like this:` over code)
            opens_topic = replied and group is not None and (item is None or item.group is not group)
            if m and not (QUESTION_END.search(parts[last].text) or (replied and re.search(r"[?？]", p.text))
                          or opens_topic
                          or (re.fullmatch(rf"{ROLE}.*", m.group("name").strip()) and re.search(r"[?？]", p.text))
                          or (re.search(r"[?？]", p.text) and _newcomer(m.group("name"), item, all_items))):
                # (an audience member's question may go on after its question mark: `…怎么合并？两边的尺度不一样。`)
                m = None
            speaker_name = _name(m.group("name").strip().lstrip("@")) if m else None
            if (m and replied and not opens_topic and item is not None and item.group is group and speaker_name
                    and speaker_name == item.asker and item.turn()[2] is not None):
                # the asker again under the same topic, answered again: the thread's next turn
                ask_again(p, after_label(p.text), unnumbered[m.end():], last == n)
                continue
            if m and _again_of(m.group("name").strip(), item):
                ask_again(p, after_label(p.text), unnumbered[m.end():], last == n)    # `**Ahmed again:** …?`
                continue
            if (m and n and parts[n - 1].kind == "heading" and item is not None and not item.done and item.heading
                    and not item.titled and item.asker is None and len(item.turns) == 1 and item.turn()[2] is None
                    and len(item.turn()[0]) == 1 and re.search(r"[?？]", parts[last].text)
                    and _speaker_asks(m.group("name"), None, profile) and _asker(text, p.md, profile) is None):
                t = item.turn()                          # `### embedded-hal 1.0?` over `**Seo-yeon Han**: Quick one:
                t[0][:], t[1][:] = [after_label(p.text)], [unnumbered[m.end():]]    # does …?`: the question told in
                item.asker, item.titled, item.quoted = speaker_name, True, last == n   # full, by who asked it
                note(p, "asker", text)
                continue
            # (a top-level message with replies marked below it opens a thread, whoever wrote it)
            if m and _speaker_asks(m.group("name"), None if replied else item, profile) \
                    and _asker(text, p.md, profile) is None:
                said_text = after_label(p.text)
                start_item(_name(m.group("name").strip().lstrip("@")), p)    # `**小柯**：请问…？` in a transcript
                note(p, "asker", text)
                set_question(p, said_text, unnumbered[m.end():], last == n)
                continue
            signed = _closing_byline(text) if (item is not None and not item.done and item.asker is None
                                               and not item.unnamed and item.turn()[2] is not None
                                               and not editorial) else None
            if signed is not None and _thread_ends(parts, n, profile):
                # `— *Rosalind, Bristol*`, `— submitted by Gustavo Amaral`, `— a reader who …` as the last line of an
                # item, after its answer: who asked (named or not), not a line of the answer
                item.asker = signed or None
                note(p, "asker", text)
                continue
            asker = _asker(text, p.md, profile) if not editorial else None
            if (asker is not None and item is not None and item.heading and not item.titled and len(item.turns) == 1
                    and item.turn()[2] is None and NAME_WRITES.match(text)):
                asker = None                 # `Ibrahim writes: "…?"` under its question's title: the question in full
            if (asker is not None and not asker[1] and item is not None and not item.done and item.asker is None
                    and item.turn()[0] and item.turn()[2] is None
                    and (item.heading or parts[n - 1].lead == "summary" or _answer_next(parts, n, profile)
                         or (item.q_label and _explicit_answer_ahead(parts, n, profile))   # (`Q: …`, `提问者：x`, more, `A:`)
                         or (parts[n - 1].kind == "line" and parts[n - 1].bold and ends_question(parts[n - 1].text))
                         or (n and parts[n - 1].kind == "line" and parts[n - 1].line == p.line - 1 and item.quoted
                             and ASKED_BY.match(text) and not re.search(r"[:：]\s*$", text)))):
                # a byline under its question (a heading; a line just above it, `*Asked by Priya N.*`), over the answer
                item.asker = asker[0]
                # (`· ✔ accepted answer by x`: quoted below, unless a label after the quote says where it starts)
                item.answer_quoted = bool(ACCEPTED_BY.search(text)) and not _labelled_after_quote(parts, n, profile)
                if (item.heading and n + 1 < len(parts) and _plain_next(parts, n, profile)
                        and (e := _paragraph_end(parts, n + 1)) + 1 < len(parts)
                        and parts[e + 1].kind == "line" and ANSWER.match(parts[e + 1].text)):
                    item.quoted = False          # `#### 来信二：…？`, `**提问人：x**`, the letter, then `A：`: the letter asks
                note(p, "asker", text)
                continue
            if (asker is not None and not asker[1] and item is not None and not item.done and item.asker is None
                    and item.heading and len(item.turns) == 1 and item.turn()[0] and item.turn()[2] is not None
                    and DASH_ASKED.match(text) and _answer_next(parts, n, profile)):
                # `### Why …?`, the reader's account of the problem, `*— submitted by x*`, then `**Solution:**`: the
                # byline closes the question, so the text above it told the question, and the answer is below
                t = item.turn()
                t[0] += t[2]
                t[1] += t[3]
                t[2] = t[3] = None
                item.asker = asker[0]
                note(p, "asker", text)
                continue
            if (asker is not None and asker[1] and item is not None and asker[0]
                    and asker[0] == (item.asker or _signed_question(item)) and not _thanks(asker[1])
                    and item.turn()[2] is not None and (ASKER_ROLE_SAID.match(text) or re.search(
                        rf"[,，]\s*(?:{FOLLOW_WORD.pattern})\s*[)）]|[（(]\s*(?:comment|reply|follow-?up)\s+from\s", text, re.I))):
                # `观众「阿杰」：那…怎么回滚？` again, `**Q (from @oduya, follow-up):** …`, `**Q (comment from x):**`: the
                # next turn
                ask_again(p, asker[1], after_label(p.md, bold=True))
                continue
            if (asker is not None and asker[0] and asker[1] and item is not None and not item.done and item.quoted
                    and item.turn()[0] and item.turn()[2] is None and asker[0] != item.asker
                    and re.match(r"\s*@[^\s:：()（）]{1,40}\s*(?:[（(][^()（）]{1,30}[)）])?\s*[:：]", text)
                    and not ends_question(parts[_paragraph_end(parts, n)].text)):
                item.answerer = asker[0]                 # `@tobiaszk: Not safely. …`, `**@ada_k (maintainer):** …`
                start_answer(p, re.sub(r"^\s*[（(][^()（）]{1,30}[)）]\s*[:：]\s*", "", asker[1]),
                             after_label(p.md, bold=True))
                continue
            if (asker is not None and asker[0] and asker[1] and item is not None and not item.done
                    and item.turn()[2] is not None and not any(x.strip() for x in item.turn()[2])
                    and text.lstrip().startswith("@") and not ends_question(parts[_paragraph_end(parts, n)].text)):
                item.answerer = asker[0]                 # `社区回复：` over `@江澈：可以使用…`: who answers, and the
                start_answer(p, asker[1], after_label(p.md, bold=True))    # answer
                continue
            if asker and asker[1] and _again_of(asker[0], item):
                ask_again(p, asker[1], after_label(p.md, bold=True))     # `**Ahmed again:** …` under Ahmed Rahimi's
                continue
            if ((QUESTION_FROM.match(text) or ASKED_BY.match(text)) and (asker is None or not asker[1])
                    and item is not None and not item.done and item.asker is None and item.turn()[2] is not None
                    and _section_ends(parts, n)):
                thread_by = THREAD_BY.search(text) if asker is None else None
                item.asker = asker[0] if asker else (_name(thread_by.group("name")) if thread_by else None)
                # `*（本条整理自 @x 在论坛的提问）*`, `<sub>Asked by @x in
                note(p, "asker", text)                    # #1873 · answered by @y</sub>` closing an FAQ's answer
                item.done = True
                continue
            if (asker is not None and asker[1] and item is not None and not item.done and item.heading
                    and item.asker is None and not item.titled and len(item.turns) == 1 and len(item.turn()[0]) == 1
                    and item.turn()[2] is None and (QUESTION_END.search(item.turn()[0][0]) or item.urls)
                    and not NAME_WRITES.match(text)):
                # `### Why does quill serve ignore my .env file?`, then `@dbellweather asks: Variables from .env work
                # in CI but not on my laptop. Is that a bug?`: who asked, and more of the question the heading asks
                # (`有位匿名用户在群里问：…？` under `### …可以混用吗？`: somebody unnamed)
                item.asker, item.unnamed = asker[0], asker[0] is None
                item.turn()[0].append(asker[1])
                item.turn()[1].append(re.sub(r"^.*?[:：]\s*(?:\*\*|__)?\s*", "", p.md, count=1))
                item.quoted = ends_question(asker[1])
                note(p, "question", text)
                continue
            if asker is not None:
                start_item(asker[0], p)
                note(p, "asker", text)
                in_qa = True
                rest = asker[1]
                item.header = bool(asker[0]) and re.fullmatch(r"[:：#\d\s]*", rest or "") is not None
                # `Asked by Jonas · ✔ accepted answer by Fatima`: the quote below is the accepted answer
                item.answer_quoted = not rest and bool(ACCEPTED_BY.search(text))
                quoting = rest[:1] in QUOTES and _paragraph_end(parts, n) > n     # (`asked: "…` over two lines)
                if quoting:
                    rest = rest[1:]
                elif len(rest) > 2 and rest[0] in QUOTES and rest[-1] in QUOTES:
                    rest = rest[1:-1].strip()            # (`Wen Li asks: "What's the best way …?"` on one line)
                if rest and not re.fullmatch(r"[:：#\d\s]*", rest):
                    # (a bold line holds its question whole: `**@x：…吗？想统一接到 zap 里。**` asks, then says more)
                    set_question(p, rest, re.sub(r"^.*?提问\s*[:：]\s*", "", p.md, count=1),
                                 bool(QUESTION_END.search(rest) or (p.bold and ASKS_FIRST_NAMED.match(rest)
                                                                    and _plain_next(parts, n, profile)))
                                 and not _explicit_answer_ahead(parts, n, profile))
                    item.unquote = quoting
                    answer_on_the_line(p, rest, re.sub(r"^.*?[:：]\s*(?:\*\*|__)?\s*", "", p.md, count=1))
                elif (n and parts[n - 1].kind == "heading" and parts[n - 1].text and not is_qa_heading(parts[n - 1].text, profile)
                      and (_answer_next(parts, n, profile)        # (not `## 本周问答` over `来自 @x 的问题`)
                           or ((QUESTION_END.search(parts[n - 1].text) or parts[n - 1].urls)
                               and _plain_next(parts, n, profile)
                               and not ends_question(parts[_paragraph_end(parts, n + 1)].text)))):
                    # (`### How do I …?` or a linked title, `*Asked by **Sven Holm** on Discord.*`, then plain text
                    # that asks nothing: the answer; a question told in full under its title would ask)
                    title = parts[n - 1]                 # `### [A title that is no question](…)`, its byline,
                    item.urls = list(title.urls)         # then the answer: the title is what was asked
                    set_question(title, title.text, title.md.lstrip("# "), True)
                    qa_level = qa_level or max(title.level - 1, 0)    # its sibling headings ask too
                continue
            if ASKER_NONE.match(text) and not editorial:
                if (item is not None and not item.done and item.header and not item.turn()[0]
                        and item.turn()[2] is None):
                    note(p, "asker", text)               # `**提问者**：@冬青` then `**问题**：` alone: the label
                    continue                             # of the question below, not another item
                start_item(None, p)
                note(p, "asker", text)
                in_qa = True
                continue
            m = QLINE.match(text)
            if (m and item is not None and not item.done and item.asker is None and item.turn()[0]
                    and item.turn()[2] is None and re.match(r"\s*提问\s*[:：]", text)
                    and (byline := ASKER_BYLINE.fullmatch(m.group("rest").strip()))
                    and (ITALIC_LINE.fullmatch(p.md.strip()) or "·" in text)):
                item.asker = _name(byline.group("name"))    # `**Q1. …？**` then `*提问：青柠 · 织梦用户 2 群*`: who
                note(p, "asker", text)                      # asked, and where, not another question
                if _explicit_answer_ahead(parts, n, profile):
                    item.quoted = False                     # (plain text before its `答：` goes on asking)
                continue
            if m and re.match(rf"\s*{NUM}?问题\s*[:：]", text) and item is not None and not item.done \
                    and item.turn()[0] and item.turn()[2] is None:
                m = None        # `**背景**：…` then `**问题**：…` under one asker, before its `A：`: one question
            if m and (in_qa or item is not None
                      or (re.match(rf"\s*{NUM}?{READER_ASKS}", text) and _explicit_answer_ahead(parts, n, profile))
                      or (not editorial and _explicit_answer_ahead(parts, n, profile)     # `**Q:** …? — *@hollis.dev*`
                          and DASH_TRAILING.search(parts[_paragraph_end(parts, n)].text))    # under any heading
                      or (not editorial and _byline_then_answer(parts, n, profile))   # `❓ **…?**` / `🙋 Asked by x` / `✅ …`
                      # (the post's `Q:` / `A:` pairs go on under its next topic heading: `### Performance`)
                      or (not editorial and _answer_next(parts, n, profile) and any(it.q_label for it in items))):
                rest = m.group("rest")        # (`读者问：` over a labelled answer: a reader's Q&A with no section heading)
                m_md = QLINE.match(p.md.replace("**", ""))
                rest_md = m_md.group("rest") if m_md else after_label(p.md.replace("**", ""))
                term = (DEFINED_TERM.fullmatch(rest.strip()) if n + 1 < len(parts) and parts[n + 1].kind == "line"
                        and DEFINITION.match(parts[n + 1].text) else None)
                if term:
                    # kramdown's definition list: the term `Q — 陈思远` names who asks, its definitions (`: …？`) ask,
                    # and the term `A` over `: …` answers; `Q — 刘工（追问）` is the same asker's next turn
                    who = _name(term.group("name"))
                    if not (term.group("again") and item is not None and not item.done and _same_person(who, item.asker)
                            and item.turn()[2] is not None):
                        start_item(who, p, numbered=False)
                        in_qa = True
                    item.defined, item.defined_again = True, bool(term.group("again")) and len(item.turns[0][0]) > 0
                    note(p, "asker", text)
                    continue
                if (((asks := NAME_WRITES.match(rest)) and (asks_md := NAME_WRITES.match(rest_md))
                        and asks.end() < len(rest) and asks_md.end() < len(rest_md))
                        or ((asks := NAME_ASKS_ZH.match(rest)) and (asks_md := NAME_ASKS_ZH.match(rest_md)))):
                    # `Q. Pedro asks: can I …?`, `Q2：用户 tianyu_w 在邮件列表中问到：…？`, read as `Q. (Pedro) can I …?`
                    who = asks.group("name") if asks.re is NAME_WRITES else "@" + (asks.group("name") or asks.group("name2"))
                    rest = f"({who}) {rest[asks.end():]}"       # (`@`: a handle such as `tianyu_w` is a name here)
                    rest_md = f"({who}) {rest_md[asks_md.end():]}"
                said = LEAD_ATTRIBUTION.match(rest)     # `Q — (Rohan, via the call chat) Does …?`
                if said and _again_of(said.group("name"), item):
                    ask_again(p, rest[said.end():], LEAD_ATTRIBUTION.sub("", rest_md, count=1))
                    continue                             # `Q. (Beatriz again) Can …?`
                if (fu := FOLLOW_UP.match(rest)) and item is not None and item.turn()[2] is not None and not item.listed:
                    ask_again(p, fu.group("rest"), after_label(rest_md), ends_question(fu.group("rest")))
                    continue                             # `**Q:** Follow-up from the same team: can we …?`
                if said and not _plausible_asker(said.group("name")):
                    said = None
                if item is not None and item.turn()[2] is not None and not said and (
                        item.again or (ELLIPTIC.match(rest) and not item.listed)):
                    ask_again(p, rest, rest_md, ends_question(rest))    # `Q：那 Redis 7 的 Functions 呢？`
                    continue
                handle = re.fullmatch(r"(?:[·•|—–-]\s*)?(?:(?:来自|from|by|asked\s+by)\s*)?@(?P<name>[^\s@:：，,]{1,40})",
                                      rest.strip(), re.I) or WHO_ASKS.fullmatch(rest.strip()) \
                    or WHO_FROM.fullmatch(rest.strip()) or LABEL_NAMES_ASKER.fullmatch(rest.strip())
                if handle and (item is None or item.done or item.turn()[2] is not None or item.turn()[0]):
                    # (`**Q** — *from Aurelio Mancini*`, `**Q1：来自 @杜若 的提问**`, `**Q2：一位社区同学提问**`)
                    who = handle.group("name")
                    start_item(_name(who) if who else None, p, numbered=False)    # `**提问：** @lmz-hpc`,
                    # `**Q1 · 来自 @蓝鲸**`: who asks, the question below
                    note(p, "asker", text)
                    in_qa = True
                    continue
                if (said and item is not None and item.turn()[2] is not None and item.asker
                        and ((_name(said.group("name")) == item.asker and FOLLOW_WORD.search(said.group("more") or ""))
                             or _again_of(said.group("name"), item))):     # (`Q. (Beatriz again) Can …?`)
                    rest, rest_md = rest[said.end():], LEAD_ATTRIBUTION.sub("", rest_md, count=1)
                    ask_again(p, rest, rest_md, ends_question(rest))     # `Q — (Rohan, follow-up) And …?`
                    continue
                if (item is not None and not item.done and item.heading and not item.titled and len(item.turns) == 1
                        and item.turn()[2] is None and len(item.turn()[0]) == 1 and not said):
                    # `#### Q1 ｜ 按方法设置超时`, `提问者：@王楠`, then `问：…？`: the heading was the question's title,
                    # the labelled line tells it in full
                    item.turn()[0][:], item.turn()[1][:] = [rest], [rest_md]
                    item.titled, item.quoted = True, ends_question(rest)
                    note(p, "question", rest)
                    continue
                fresh = item is not None and not item.done and item.turn()[2] is None and not item.turn()[0]
                if fresh:                                # (`**3、提问：**` then `问：…` is one item)
                    item.labelled = item.header
                else:
                    # under `**来自 @x 的两个提问**`, each `问：` until the next asker line is x's (when the first was
                    # labelled so too, and the next names nobody else)
                    carried = item.asker if (item is not None and item.labelled and item.turn()[2] is not None
                                             and not ASKER_TRAILING.search(rest)) else None
                    start_item(carried, p, numbered=False)
                    item.header = item.labelled = carried is not None
                    item.q_label = True
                if said:
                    item.asker = _name(said.group("name"))
                    rest, rest_md = rest[said.end():], LEAD_ATTRIBUTION.sub("", rest_md, count=1)
                    if not rest.strip():                 # `**读者问：**（来自读者「小陈」）`, the question below
                        note(p, "asker", text)
                        in_qa = True
                        continue
                if (who := re.match(r"^@\s*(?P<name>[^\s@#：:，,（(]{1,40})\s*(?:[（(][^()（）]{1,30}[)）])?\s*[:：]\s*(?P<q>\S.*)$",
                                    rest)) and not item.asker:  # `提问：@阿杰：…`, `问：@林晓 （某物流公司）：…`
                    item.asker, rest = _name(who.group("name")), who.group("q")
                    rest_md = re.sub(r"^@[^:：]*[:：]\s*", "", rest_md, count=1)
                elif not item.asker and (who := _asker(rest, rest_md, profile)) is not None and who[1] \
                        and re.search(r"[:：]", rest[:len(rest) - len(who[1])]):
                    item.asker, rest = who[0], who[1]   # `【问】有读者在后台留言：…`, `【问】来自 @Mia 的提问：…`
                    rest_md = re.sub(r"^[^:：]*[:：]\s*", "", rest_md, count=1)
                named = QUESTION_THEN_NAME.search(rest) if not item.asker and BOLD_QUESTION_NAMED.match(p.md) else None
                if named and _plausible_asker(_bracketed_name(named)):   # `**Q: …?** (Oskar Lindqvist)`: the bold
                    item.asker = _name(_bracketed_name(named))            # ends before the name
                    rest, rest_md = rest[:named.start() + 1], _cut_after_mark(rest_md)
                trailing = ASKER_TRAILING.search(rest) if not item.asker else None
                if trailing and ends_question(rest[:trailing.start()]) and _plausible_asker(trailing.group("name")):
                    item.asker = _name(trailing.group("name"))    # `**Q2：…？**（提问者：@Ken-Zh）` over a log: the
                    rest = rest[:trailing.start()]                # question goes on below, its asker named here
                    rest_md = re.sub(r"\s*[（(][^()（）]{1,80}[)）]\s*$", "", rest_md)
                signed = SIGNED_AFTER_MARK.search(rest) if not item.asker else None
                if signed and (_plausible_asker(who := next(g for g in signed.groups() if g))
                               or ANONYMOUS.match(who) or (_name(who) and _plausible_asker(_name(who)))):
                    item.asker = _name(who)             # `Q: Can I …? — *Joaquín*`, `问：…？[— 李想]`, `…？(by Mei)`
                    rest = rest[:signed.start() + 1]
                    rest_md = _cut_after_mark(rest_md)
                inline = INLINE_ANSWER.search(rest)
                inline_md = INLINE_ANSWER.search(rest_md) if inline else None
                if inline and inline_md and inline.group("who") and not item.asker:
                    signed = SIGNED_AFTER_MARK.search(rest[:inline.end("who")])    # `Q. …? (Ingrid, via email) A. …`
                    if signed and (_plausible_asker(who := next(g for g in signed.groups() if g))
                                   or ANONYMOUS.match(who) or (_name(who) and _plausible_asker(_name(who)))):
                        item.asker = _name(who)
                    elif _plausible_asker(bare := inline.group("who")[1:-1].strip()):
                        item.asker = _name(bare)        # `… (Yusuf) A. …`: a name alone, between the two
                if inline and inline_md:                # `Q：…？A：…` on one line: the question, then its answer
                    set_question(p, rest[:inline.end("mark")], rest_md[:inline_md.end("mark")], True)
                    start_answer(p, rest[inline.end():], rest_md[inline_md.end():])
                else:
                    set_question(p, rest, rest_md, p.lead == "summary"    # (a `<details>` summary: its body answers)
                                 or (ends_question(rest) and not _explicit_answer_ahead(parts, n, profile)))
                in_qa = True
                continue
            m = GROUP.match(text)
            if m and len(text) <= 120 and not editorial:
                close_all()
                group = _Group(topic=m.group("topic") or m.group("topic3"))
                in_qa = True
                log["sections"].append({"line": p.line, "heading": text, "topic": True})
                continue
            link = _link_line(p, registry, profile)
            if link:
                label, url = link
                target = item if item is not None else group
                if target is not None:
                    target.links.append((label, url))
                    note(p, "link", text)
                    if item is not None:
                        item.done = True
                        if item.group is not None:       # the group's link line follows its last item
                            item.group.links.append((label, url))
                else:
                    skip(p, "a project link line with no item before it")
                continue
            if in_qa and not editorial and SALUTATION.fullmatch(text.strip()) and (item is None or item.done
                                                                                 or item.turn()[2] is not None):
                start_item(None, p, numbered=False)       # `Dear Hilde,` on a line of its own: a letter starts
                note(p, "asker", text)
                continue
            waits = item is not None and not item.done and item.turn()[0] and item.turn()[2] is None
            if waits and item.asker is None and ANON_NOTE.match(text):
                note(p, "asker", text)                   # `（该问题来自社区表单，提问人未留名）` under the question
                continue
            said = ATTRIBUTION_LINE.match(text) if waits and item.asker is None else None
            if said and _plausible_asker(said.group("name")):
                item.asker = _name(said.group("name"))   # `*(Priya Raman, user@)*` under the question
                note(p, "asker", text)
                continue
            answered = item is not None and item.turn()[2] is not None
            credit = ASKER_CREDIT.match(text) if answered else None
            if credit:
                item.asker = item.asker or _name(credit.group("name") or credit.group("name2"))   # `（本题由社区用户 @阿木 提问，感谢！）`
                skip(p, "who asked, credited after the answer")
                continue
            if answered and ANSWERED_BY_LINE.match(text):
                skip(p, "who answered, not part of the answer")     # `— answered by Tomasz Wilk (PMC)`
                continue
            m = SIGN_OFF.match(text) if waits and item.asker is None else None
            if m and _plausible_name(m.group("name")):
                item.asker, item.quoted = _name(m.group("name")), True    # `— Sleepless in Staging` signs the letter
                note(p, "asker", text)
                continue
            if waits and item.asker is None and not item.unnamed and _closing_byline(text) == "":
                item.quoted = item.unnamed = True        # `— a long-time reader who'd rather stay nameless`: the
                note(p, "asker", text)                   # letter is signed by somebody unnamed; the reply follows
                continue
            if (in_qa and not editorial and not p.bold and (item is None or item.done or item.turn()[2] is not None)
                    and ("?" in text or "？" in text) and _answer_next(parts, n, profile)
                    and ends_question(QUESTION_THEN_NAME.sub("?", text))):
                named = QUESTION_THEN_NAME.search(text)    # `Can I …? *(Tomasz K.)*` over `: Yes. …`
                start_item(_name(_bracketed_name(named)) if named else None, p, numbered=False)
                q_text, q_md = (text[:named.start() + 1], _cut_after_mark(p.md)) if named else (text, p.md)
                set_question(p, q_text.strip(), q_md.strip(), True)
                continue
            if (in_qa and not editorial and not p.bold and (item is None or item.done or item.turn()[2] is not None)
                    and _signed_letter(parts, n, profile)):
                # a letter with no label: its text, `*— Hélène Marchand, Montréal*` under it (read below as who
                # asked), then `**Editor's reply:**`
                start_item(None, p, numbered=False)
                set_question(p, text.strip(), p.md.strip(), False)
                continue
            if (item is not None and not item.done and item.heading and len(item.turns) == 1 and item.turn()[2] is None
                    and (d := DESCRIBED.match(text))):
                rest = text[d.end() - 1:].strip()        # `**问题描述：** …` under the question's heading: more of it
                _append(item, Piece("line", rest, after_label(p.md, bold=True), line=p.line))
                item.quoted = True
                if item.asker is None and (who := REPORTED_BY.match(rest)):
                    item.asker = _name(who.group("name"))    # (`用户 @Marco_L 反馈，…`: who asked, in the account)
                note(p, "question", rest)
                continue
            if item is not None and not item.done and item.defined and DEFINITION.match(p.text):
                q_text, q_md = DEFINITION.sub("", text, count=1), DEFINITION.sub("", p.md, count=1)
                if item.defined_again:           # (a definition under `Q — x（追问）`: x's next question)
                    item.defined_again = False
                    ask_again(p, q_text, q_md, False)
                    continue
                if item.turn()[2] is None:       # (a definition under `Q — x`: the question, line by line)
                    if item.turn()[0]:
                        _append(item, Piece("line", q_text, q_md, line=p.line))
                        note(p, "question", q_text)
                    else:
                        set_question(p, q_text, q_md, False)
                    continue
            if (item is not None and not item.done and item.defined and item.turn()[0] and item.turn()[2] is None
                    and ANSWER_HEADING.fullmatch(text.strip())):
                start_answer(p, "", "")          # the term `A` over its definitions: the answer
                continue
            t = item.turn() if item is not None and not item.done else None
            speaker = t is not None and t[2] is None and bool(t[0]) and not _explicit_answer_ahead(parts, n, profile)
            answer_label = _answer_label(p, profile, speaker, speakers)
            if p.bold and answer_label is None and t is not None and not t[0] and t[2] is None \
                    and len(item.turns) == 1:
                set_question(p, text.strip(), p.md.replace("**", "").strip(), bool(QUESTION_END.search(text)))
                continue                                 # `**@name** 提问：` then the question in bold
            if p.bold and answer_label is None and speaker and _answerer_line(parts, n, text, profile):
                start_answer(p, "", "", role="answerer")  # `**维护者回复**` (or `**周航**`) over the answer below
                item.trace[-1] = (p.line, "answerer", text.strip())
                continue
            if (p.bold and p.lead != "summary" and answer_label is None and in_qa and item is not None and not item.done
                    and not item.listed and item.turn()[2] is not None and not is_qa_heading(text, profile) and not _editorial(text)
                    and not GROUP.match(text) and _plain_next(parts, n, profile) and _qa_goes_on(parts, n, profile)):
                _append(item, p)                         # `**方案二**` over a part of the answer; more items follow
                note(p, "answer")
                continue
            lead = LEAD_LINK.match(p.md) if answer_label is None and not editorial else None
            if (lead and (n == 0 or parts[n - 1].kind != "line" or parts[n - 1].line != p.line - 1)
                    and (item is None or item.done or item.turn()[2] is not None)
                    and (linked := linked_question(text, lead.group("text"))) is not None
                    and (in_qa or ((p.bold or BOLD_LINK.match(p.md)) and _plain_next(parts, n, profile)))):
                # a paragraph led by a linked question: `[Why does …?][q1] (answered by Oskar)`, `[How …?](…) Ruth
                # points out that …`, `**[Can Driftwood …?](…/discussions/3120)** — @bergamot` over its answer. Outside
                # a Q&A-named section (`Discussions roundup`) only a bold one over plain text: it is a Q&A then too.
                close_item()
                start_item(linked[1], p, numbered=False)
                item.urls, item.refs = list(p.urls), list(p.refs)
                set_question(p, linked[0], linked[0], True)
                if linked[2]:
                    start_answer(p, linked[2], LEAD_LINK.sub("", p.md, count=1).strip())
                in_qa = True
                continue
            bold_named = BOLD_QUESTION_NAMED.match(p.md) is not None      # `**Will my … work?** (Rosa Delgado)`
            bold = p.bold or bold_named
            named = QUESTION_THEN_NAME.search(text) if bold else None     # `Is there …? (Guillermo Reyes)`
            named = named if named and (bold_named or _plausible_asker(_bracketed_name(named))) else None
            if (bold and answer_label is None and in_qa and not editorial
                    and (ends_question(text[:named.start() + 1] if named else text)
                         or (bold and (ASKS_FIRST if p.bold and not bold_named else ASKS_FIRST_NAMED).match(text)
                             and _plain_next(parts, n, profile))
                         or (p.lead == "summary" and (re.search(r"[?？]", text)
                                                       or (_asked_below(parts, n) and _plain_next(parts, n, profile)))))
                    and (item is None or item.done or item.turn()[2] is not None)
                    and (p.lead == "summary" or not _followed_by_pairs(parts, n, profile))):
                close_item()                             # `**如何升级？**` over its answer: a question of its own
                who = _name(_bracketed_name(named)) if named else None      # (`(Kwame Mensah, Tidepool Labs)` is Kwame
                start_item(who if who and _plausible_asker(who) else None, p, numbered=False)   # Mensah; not `(several …)`)
                q_text, q_md = text.strip(), p.md.replace("**", "").strip()
                if named:
                    q_text, q_md = text[:named.start() + 1].strip(), _cut_after_mark(q_md)
                set_question(p, re.sub(rf"^{NUM}", "", q_text),
                             re.sub(rf"^{NUM}", "", q_md), True)   # (not `2. ` of `**2. …?**`)
                continue
            titled = (item is not None and not item.done and item.heading and not item.titled and item.asker is None
                      and len(item.turns) == 1 and item.turn()[2] is None)
            handle = HANDLE_LINE.match(text) if (in_qa and not editorial and BOLD_LED.match(p.md) and (
                item is None or item.done or item.turn()[2] is not None or titled) and _asks_below(parts, n)) else None
            if handle and titled:                        # `### 2. "Why not just use Tinwhistle?"`, who asked, then
                item.asker = _name(handle.group("name")) if handle.group("name") else None    # the question quoted
                note(p, "asker", text)                   # in full (it replaces the title)
                continue
            if handle:                                   # `**jvandermeer** (312 points)` over `> …?` and `↳ …`
                close_item()
                start_item(_name(handle.group("name")) if handle.group("name") else None, p)
                note(p, "asker", text)
                continue
            if p.bold and answer_label is None and (item is None or item.done or not _label_like(p.text)):
                close_item()
                commenter = COMMENTER.match(text) if in_qa and _author_replies(parts, n) else None
                if commenter and not re.search(r"[?？]", parts[n + 1].text):
                    skip_to, skip_why = _paragraph_end(parts, n + 2), "a reader's comment that asks nothing, and the reply"
                    skip(p, skip_why)            # `**Tony 不加班**` > `写得太真实了…` 作者回复：`感谢转发～`
                    continue
                m = NUMBERED_NAME.match(text) or commenter
                if m and _followed_by_pairs(parts, n, profile, quote_only=True):
                    start_item(_name(m.group("name")), p)     # `**1. 小白**` over a quoted question: its asker
                    note(p, "asker", text)
                    in_qa = True
                    continue
                if (in_qa and qa_level and not is_qa_heading(text, profile) and not _editorial(text)
                        and not any(it.section == section for it in all_items) and _qa_goes_on(parts, n, profile)):
                    skip(p, "the Q&A section's introduction")    # `**本周各项目回复 issue 共计 2 条**` under its heading
                    continue
                if in_qa and (TOPIC_TITLE.match(text) or DATE_TITLE.fullmatch(text.strip())):
                    close_all()                          # `**话题一：消费堆积**` in a chat digest: a topic, the
                    group = _Group(topic=text.strip())   # section goes on
                    log["sections"].append({"line": p.line, "heading": text, "topic": True})
                    continue
                if in_qa and not _editorial(text) and _followed_by_pairs(parts, n, profile):
                    close_all()                          # a topic over several Q/A pairs: the section goes on
                    group = _Group(topic=text.strip().rstrip(":："))
                    log["sections"].append({"line": p.line, "heading": text, "topic": True})
                    continue
                close_all()
                in_qa = is_qa_heading(p.text, profile) and not _anticipated(parts, n)
                qa_level = 0
                if in_qa:
                    enter_section(p, 0)
                    editorial = False
                else:
                    skip(p, "a bold line that does not start a Q&A section")
                    if _editorial(text):
                        editorial, editorial_level = True, 0
                    elif not editorial_level:
                        editorial = False     # (a bold line under an editorial heading is its sub-title)
                continue
            if item is None or item.done:
                skip(p, "outside any item" if item is None else "after the item's project link line")
                continue
            if item.turn()[0] and item.turn()[2] is None and TRANSLATION_LINE.match(text):
                skip_to, skip_why = _paragraph_end(parts, n), "the question's translation"
                skip(p, skip_why)                        # `*Translation: Can LanternKV's Raft log …?*` under `问：…？`
                continue
            if (not qa_level and RUN_IN_TITLE.match(p.md) and item.turn()[2] is not None
                    and (n == 0 or parts[n - 1].kind != "line" or parts[n - 1].line != p.line - 1)):
                skip_to, skip_why = _paragraph_end(parts, n), "the roundup's next item, not part of the answer"
                item.done = True                         # `**Translations.** The documentation is …` after a
                skip(p, skip_why)                        # question answered in a roundup: the roundup goes on
                continue
            if CHAPTER.match(text) and item.turn()[2] is not None:
                item.done = True                         # `44:30 — Picks of the week`: the show moves on
                skip(p, "the next chapter of the show")
                continue
            if EDITOR_NOTE.match(text) and item.turn()[2] is not None:
                skip_to, skip_why = _paragraph_end(parts, n), "the editor's note, not part of the answer"
                skip(p, skip_why)                        # `*(Editor's note: …)*`, `编者注：…` under an answer
                continue
            if (READER_NOTE.match(text) and item.turn()[2] is not None and _starts_paragraph(parts, n)
                    and _notes_end_section(parts, n)):
                item.done = True                         # `以上问题欢迎继续讨论。` closes the section: the editor's
                skip(p, "the editor's closing note to readers, not part of the answer")
                continue
            rep = REPLIED.match(text) if answer_label is not None else None
            if (rep and item.turn()[2] is not None and item.asker
                    and _name(rep.group("name").strip().lstrip("@")) == item.asker):
                item.replying = False                    # `💬 **@rhea-okonjo** replied` by the asker: the quote
                note(p, "follow-up", text)               # below asks again
                continue
            if answer_label is not None:
                item.replying = item.turn()[2] is not None and not answer_label[0] and bool(REPLIED.match(text))
                start_answer(p, *answer_label)           # (`**Jun Watanabe** added:` under an answer: the quote
                if item.answerer is None and (m := SPEAKER_MD.match(p.md)):     # below answers too)
                    item.answerer = _name(m.group("name").strip().lstrip("@"))
                continue
            t = item.turn()
            if item.heading and t[2] is None and len(t[0]) == 1 and ITALIC_LINE.fullmatch(p.md.strip()):
                skip(p, "a note on where the question came from")    # `*From the sig-storage mailing list*`
                continue
            if (item.heading and len(item.turns) == 1 and t[2] is None and len(t[0]) == 1 and not item.titled
                    and ends_question(parts[_paragraph_end(parts, n)].text.rstrip(QUOTES + " "))):
                # the question told in full under its title (`### [Title? (#3318)](…)`, `Ibrahim writes: "…?"`)
                t[0], t[1] = [NAME_WRITES.sub("", text).strip(QUOTES + " ")], [NAME_WRITES.sub("", p.md).lstrip(QUOTES + " ")]
                item.titled, item.quoted = True, _paragraph_end(parts, n) == n
                if item.quoted:
                    t[0][-1], t[1][-1] = t[0][-1].rstrip(QUOTES), t[1][-1].rstrip(QUOTES)
                note(p, "question")
                continue
            if (item.quoted and item.turn()[2] is None and re.search(r"[:：]\s*$", parts[_paragraph_end(parts, n)].text)
                    and _explicit_answer_ahead(parts, n, profile, speakers=True)):
                item.quoted = False      # `…还能用吗？` / `我们原来是这样覆盖的：` over code / `**维护者 @x：**`: the asker
                                         # shows more of the question before the labelled answer
            asking = item.turn()[2] is None and not item.quoted
            if not asking and item.turn()[2] is not None and (added := ADDED.match(text)):
                p = replace(p, text=text[added.end():], md=after_label(p.md, bold=True))
                text = p.text                            # `**核心维护者 @林间 补充：** …`: a second answer, not its label
            if asking and item.titled and ends_question(text.rstrip(QUOTES + " ")):
                text = text.rstrip(QUOTES)
                p = replace(p, text=p.text.rstrip().rstrip(QUOTES), md=p.md.rstrip().rstrip(QUOTES))
            _append(item, p)
            note(p, "answer" if item.turn()[2] is not None else "question")
            if asking and item.unquote and ends_question(text.rstrip(QUOTES + " ")):
                item.turn()[0][-1] = item.turn()[0][-1].rstrip(QUOTES + " ")   # the quoted question's last line
                item.unquote, item.quoted = False, True
                continue
            if asking and ends_question(text) and not _explicit_answer_ahead(parts, n, profile, speakers=True):
                item.quoted = True          # a question wrapped over lines ends here: plain text below answers it
            elif (asking and _paragraph_end(parts, n) == n and n + 1 < len(parts) and parts[n + 1].kind == "line"
                  and not parts[n + 1].bold and ANSWER_OPENER.match(parts[n + 1].text)
                  and re.search(r"[?？]", " ".join(item.turn()[0]))
                  and not _explicit_answer_ahead(parts, n, profile, speakers=True)):
                item.quoted = True          # `…能不能只在夜间运行？白天会和查询抢磁盘 IO。` over `可以。…`: the
            continue                        # question ended, with a remark after its mark; the reply opens below
        if (p.kind == "quote" and item is not None and item.again and not item.done
                and item.turn()[2] is not None):
            ask_again(p, p.text.strip(), p.md.strip())   # `Tomás wrote back:` over his quoted reply: the next turn
            continue
        if (p.kind == "quote" and item is not None and not item.done and item.turn()[2] is not None
                and (sp := SPEAKER_MD.match(p.md)) and _same_person(sp.group("name").strip(), item.asker)):
            ask_again(p, after_label(p.text), p.md[sp.end():].strip())   # `> **Hana:** That fixed …, but …` under
            continue                                                      # the answer to Hana Sato: her next turn
        if (p.kind == "quote" and item is not None and not item.done and item.answer_quoted and item.turn()[0]
                and item.turn()[2] is None):
            start_answer(p, p.text.strip(), p.md.strip())    # the accepted answer its byline credits
            continue
        if p.kind == "quote" and in_qa and EDITOR_NOTE.match(p.text.replace("*", "")):
            skip(p, "the editor's note, not part of a thread")       # `> 编者注：…` between or under the threads
            continue
        if p.kind == "quote" and not editorial and (in_qa or (qa_heading_seen and ASKER_QLABEL.match(
                p.text.split("\n")[0].replace("*", "")))) and (said := _quote_asker(p, profile)) is not None:
            # (`> **Question** (asked by @x in #contributors)` under the next channel's heading: Q&A still)
            name, rest, rest_md = said          # `> **Sofia asks:** I have a …?`, `> A reader in Lagos writes: …`
            if item is not None and _same_person(name, item.asker) and item.turn()[2] is not None:
                ask_again(p, rest, rest_md)                  # the same reader again: a follow-up
            else:
                start_item(name, p, numbered=False)
                note(p, "asker", p.text.split("\n")[0])
                set_question(p, rest, rest_md, True)
            item.quoted = True
            continue
        if p.kind == "quote" and (wrote := WROTE.match(p.text)) and not editorial:
            name, rest = _name(wrote.group("name")), p.text[wrote.end():].strip()
            rest_md = re.sub(r"^[^\n]*\n", "", p.md, count=1).strip()
            if item is not None and _same_person(name, item.asker) and item.turn()[2] is not None:
                ask_again(p, rest, rest_md)                  # the asker writes again: a follow-up
            else:
                start_item(name, p, numbered=False)   # `> On …, Priya <…> wrote:` over the question
                note(p, "asker", wrote.group(0))
                in_qa = True
                set_question(p, rest, rest_md, True)
            continue
        if (p.kind == "quote" and in_qa and not editorial and "\n" in p.text.strip()
                and (item is None or item.done or item.turn()[2] is not None)):
            first, _, body = p.text.strip().partition("\n")
            said = _asker(first.replace("*", ""), first, profile)
            if said is not None and not said[1] and body.strip() and (said[0] or ASKER_LABEL.match(first.replace("*", ""))):
                close_item()                             # `> 提问者：青柠` / `>` / `> 用 WebDAV 同步…？`: who asked,
                start_item(said[0], p, numbered=False)   # then the question, in one quote
                note(p, "asker", first)
                p = replace(p, text=body.strip(), md=p.md.strip().partition("\n")[2].strip())
        if p.kind == "quote":
            byline = BYLINE.match(p.text.strip()) if "\n" not in p.text.strip() else None
            who = (_name(byline.group("name")), "") if byline else \
                _asker(p.text.strip(), p.md.strip(), profile) if "\n" not in p.text.strip() else None
            if (who is not None and not who[1] and item is not None and not item.done and item.asker is None
                    and item.turn()[0] and item.turn()[2] is None):
                item.asker = who[0]                      # `> 提问者：刘畅` under the question heading
                if item.heading and _plain_next(parts, n, profile) and _explicit_answer_ahead(parts, n, profile):
                    item.quoted = False                  # (the account below it, a log, more, then `**答：**`: asks)
                note(p, "asker", p.text)
                continue
            if byline and in_qa and not editorial and (item is None or item.done or item.turn()[2] is not None):
                start_item(who[0], p, numbered=False)    # `> reported by @okafor` under an issue's title: the
                note(p, "asker", p.text)                 # question follows
                continue
            if (item is not None and not item.done and item.heading and item.named_in_heading and item.quoted
                    and len(item.turns) == 1 and item.turn()[0] and item.turn()[2] is None):
                signed = QUOTE_ATTRIBUTION.search(p.text)     # `#### Why …? [@jmarsh]` over a quoted reply, signed
                signed_md = QUOTE_ATTRIBUTION.search(p.md) if signed else None
                start_answer(p, p.text[:signed.start()].rstrip() if signed else p.text,
                             p.md[:signed_md.start()].rstrip() if signed_md else p.md)
                continue
            signed = QUOTE_ATTRIBUTION.search(p.text) if (in_qa or qa_heading_seen or titled_qa) and not editorial else None
            signed_md = QUOTE_ATTRIBUTION.search(p.md) if signed else None
            if signed and signed_md:                 # the signature names the asker; it is not part of the question
                p = replace(p, text=p.text[:signed.start()].rstrip(), md=p.md[:signed_md.start()].rstrip())
            else:
                signed = None
            if item is not None and item.done:       # a follow-up after the project link line
                if item.listed:
                    skip(p, "a quote after a list of questions")
                    continue
                item.done = False
            elif item is None:
                # a quoted question with no asker line: after other items, in a group, or answered right below it
                # (or, in a post whose Q&A section came before, a quoted question answered below it: a deep dive)
                later = (not in_qa and not editorial and qa_heading_seen and items and ends_question(p.text)
                         and n + 1 < len(parts) and parts[n + 1].kind == "line" and not parts[n + 1].bold)
                # (in a post its title names a Q&A, a quoted question signed inside the quote, over plain text: a
                # mailbag's letter and its answer, wherever it stands)
                later = later or (titled_qa and not editorial and signed is not None and ends_question(p.text)
                                  and n + 1 < len(parts) and parts[n + 1].kind == "line" and not parts[n + 1].bold)
                # (in a Q&A section, a quoted question signed on the line below it: `— @keturah, via GitHub`)
                later = later or (in_qa and not editorial and re.search(r"[?？]", p.text) and n + 1 < len(parts)
                                  and parts[n + 1].kind == "line" and bool(DASH_SIGNED.match(parts[n + 1].text)))
                if not later and (not in_qa or (group is None and not items and not QLINE.match(
                        p.text.split("\n")[0].replace("*", "")) and not signed
                        and not _explicit_answer_ahead(parts, n, profile, speakers=True))):
                    skip(p, "a quote outside any item")
                    continue
                start_item(_name(signed.group("name")) if signed else None, p, numbered=False)  # no asker line
                item.bare, item.unnamed = True, bool(signed) and item.asker is None
            t = item.turn()
            if t[0] and (ANSWER.match(p.text) or any(r.match(p.text) for r in profile.extra("answer"))):
                a_text, a_md = _answer_label(Piece("line", p.text, p.md), profile)    # `> A：…`: a quoted answer
                if t[2] is None:
                    start_answer(p, a_text, a_md)
                else:
                    _append(item, Piece("quote", a_text, a_md, line=p.line))
                    note(p, "answer", a_text)
                continue
            if item.heading and not item.titled and len(item.turns) == 1 and len(t[0]) == 1 and t[2] is None:
                # `### [Title?](…)`, `**@x** asked:`, then the quoted question told in full: the quote is the
                # question, not the title; so too when the quote restates a title that asks without a question mark
                # (`How to pin a layer to one worker`). A title that says something else (`Labels duplicated at tile
                # borders` over `Labels appear twice near tile edges. Is that a bug?`) names the subject: both stay.
                if QUESTION_END.search(t[0][0]) or _restates(p.text, t[0][0]):
                    t[0].clear()
                    t[1].clear()
                item.titled = True
            speaker = SPEAKER_MD.match(p.md) if t[0] and t[2] is None else None
            if speaker and _name(speaker.group("name").strip().lstrip("@")) not in (item.asker, None):
                item.answerer = _name(speaker.group("name").strip().lstrip("@"))    # `> **惊鸿团队**：可以，…` under
                start_answer(p, after_label(p.text), p.md[speaker.end():])    # the question
                continue
            other = SPEAKER_MD.match(p.md) if t[2] is not None and not re.search(r"[?？]", p.text) else None
            if (other and _name(other.group("name").strip().lstrip("@")) not in (item.asker, None)
                    and not FOLLOW_UP.match(p.text.replace("*", "")) and not QLINE.match(p.text.replace("*", ""))):
                _append(item, Piece("quote", after_label(p.text), p.md[other.end():], line=p.line))
                note(p, "answer", p.text)        # `> **Tamsin**: also worth …` under `> **juno**: …`: a second answer
                continue
            if t[2] is not None and (item.replying or not any(x.strip() for x in t[2])):
                item.replying = False                # `Marked as answer, from @x:` alone, then the answer quoted
                _append(item, p)
                note(p, "answer")
                continue
            if t[2] is not None:                     # answered: this quote is a follow-up question
                first = p.text.split("\n")[0].replace("*", "")
                labelled = FOLLOW_UP.match(mq.group("rest") if (mq := QLINE.match(first)) else first)
                # (`> **Follow-up:** …`, `> **Q:** Follow-up from the same team: …`)
                if not labelled and signed and _again_of(signed.group("name").strip(), item):
                    labelled = True          # `> …?` signed `— Tobi again` under Tobi A.'s answered letter: a turn
                if not labelled and (item.bare or (item.asker is None and item.group is not None)):
                    # a run (or group) of bare Q/A pairs: the next pair
                    start_item(_name(signed.group("name")) if signed else None, p, numbered=False)
                    item.bare, item.unnamed = True, bool(signed) and item.asker is None
                else:
                    item.turns.append([[], [], None, None])
                    item.again = False
                    note(p, "follow-up")
                t = item.turn()
            q_text, a_text = _split_on_answer(p.text)
            q_md, a_md = _split_on_answer(p.md)
            if (QLINE.match(q_text.split("\n")[0].replace("*", "")) or FOLLOW_UP.match(q_text.split("\n")[0].replace("*", ""))) \
                    and not t[0]:                        # `> **Q:** …`, `> 追问：…`: not the label
                q_text = re.sub(r"^[^:：.．、]*[:：.．、]\s*", "", q_text.replace("*", ""), count=1)
                q_md = after_label(q_md, bold=True)
                if (fu := FOLLOW_UP.match(q_text)) and item.turns and len(item.turns) > 1:
                    q_text, q_md = fu.group("rest"), after_label(q_md)     # (and its follow-up label)
            t[0].append(q_text)
            t[1].append(q_md)
            note(p, "question", q_text)
            if a_text is not None:                   # `>question` then a lazy `A：answer` line: one blockquote
                t[2], t[3] = [a_text], [a_md or a_text]
                note(p, "answer", a_text)
            item.quoted = True
            continue
        if item is not None and not item.done:       # lists, code, tables, images inside a question or answer
            _append(item, p)
            note(p, "answer" if item.turn()[2] is not None else "question")
        else:
            skip(p, "outside any item")
    close_all()
    _follow_pointers(items, parts)

    threads = _threads(post, items, registry, profile)
    log["pairs"] = list(zip(items, threads, strict=True))
    if qa_heading_seen and not threads:
        warnings.append("has a Q&A section but no thread could be extracted from it (an unknown format?)")
    return threads, warnings, log


PLAIN_SPEAKER = re.compile(rf"^\s*(?P<name>(?:{ANSWERER_ROLE})[（(][^()（）:：@\n]{{1,16}}[)）]"   # (`嘉宾（李岚）：`)
                           r"|[^\s:：，,。？?!！@#*「」()（）]{1,16}(?: [A-Za-z][\w.-]{0,15}| [\u4e00-\u9fff]{2,6})?)"   # (`讲师 刘思远：`)
                           r"\s*[:：]\s*(?=\S)")


def _question_section_levels(parts: list[Piece]) -> frozenset[int]:
    """The levels at which a question heading has two or more question headings under it (see `_run`)."""
    heads = [(p.level, bool(QUESTION_END.search(heading_question(p.text.replace("*", ""))[0])))
             for p in parts if p.kind == "heading" and p.text]
    levels = set()
    for i, (level, asks) in enumerate(heads):
        if not asks or level in levels:
            continue
        under = 0
        for deeper, deeper_asks in heads[i + 1:]:
            if deeper <= level:
                break
            under += deeper_asks
        if under >= 2:
            levels.add(level)
    return frozenset(levels)


# an answer that only points to a longer one further on: `见下方「详解一」`, `详见下文`, `see "Deep dive 1" below`
POINTER_ANSWER = re.compile(r"^\s*(?:[^。，,\n]{1,10}[，,]\s*)?(?:请)?(?:见|详见|参见|参考)(?:下方|下文|后文|文末|下面)?\s*(?:的)?\s*(?:「(?P<zh>[^「」]{1,30})」|“(?P<zq>[^“”]{1,30})”)?"
                            r"\s*(?:一节|小节|部分|章节)?\s*(?:的?(?:详细)?(?:解答|说明|展开))?\s*[。.]?\s*$"
                            r"|^\s*see\s+(?:[\"“](?P<en>[^\"“”]{1,40})[\"”]\s+)?below\s*[.]?\s*$", re.I)


REPLY_TO = re.compile(r"^\s*[（(]\s*(?:回复|答复|reply\s+to)\s*@?[^()（）\n]{1,30}[)）]\s*", re.I)


def _follow_pointers(items: list[_Item], parts: list[Piece]) -> None:
    """A table's or a list's short answer that says the long one is below (`见下方「详解一」`): the answer is what
    stands under the heading it names (or, naming none, under the next heading after the question), up to the
    next heading of that level or above."""
    for it in items:
        if len(it.turns) != 1 or not it.turns[0][2] or len(it.turns[0][2]) != 1:
            continue
        m = POINTER_ANSWER.match(it.turns[0][2][0])
        if not m or not it.trace:
            continue
        name = m.group("zh") or m.group("zq") or m.group("en")
        after = it.trace[-1][0]
        start = next((i for i, p in enumerate(parts) if p.kind == "heading" and p.line > after
                      and (name is None or name.lower() in p.text.lower())), None)
        if start is None:
            continue
        end = next((i for i in range(start + 1, len(parts))
                    if parts[i].kind == "heading" and parts[i].level <= parts[start].level), len(parts))
        body = [p for p in parts[start + 1:end] if p.text.strip()]
        if body and (reply := REPLY_TO.match(body[0].text)):     # (`（回复 @x）推荐…`: whom it answers, not words of it)
            body[0] = replace(body[0], text=body[0].text[reply.end():], md=REPLY_TO.sub("", body[0].md, count=1))
        if body:
            it.turns[0][2] = [p.text for p in body]
            it.turns[0][3] = [p.md for p in body]


def _plain_speakers(parts: list[Piece], registry: Registry, profile: Profile) -> frozenset:
    """Plain `Nebula：…` labels that open the line after a question (quoted, or a line ending in a question mark)
    at least twice in a post: the one who answers, named the same way each time (a bold label needs no
    repeating)."""
    counts: dict[str, int] = {}
    for prev, p in zip(parts, parts[1:], strict=False):
        asked = prev.kind == "quote" or (prev.kind == "line" and QUESTION_END.search(prev.text))
        if asked and p.kind == "item" and p.lead == "plain" and _plausible_name(p.text) and len(p.text.split()) <= 3:
            counts[p.text] = counts.get(p.text, 0) + 1   # `- Tomás: Not reliably. …` nested under `- **@x:** …?`
            continue
        if not asked or p.kind != "line" or _link_line(p, registry, profile):
            continue
        m = PLAIN_SPEAKER.match(p.text)
        if m and not QUESTION_PART.match(m.group("name")) and not ANSWER.match(p.text) and not QLINE.match(p.text):
            counts[m.group("name")] = counts.get(m.group("name"), 0) + 1
    return frozenset(k for k, c in counts.items() if c >= 2)


def _answer_label(p: Piece, profile: Profile, speaker: bool = False,
                  speakers: frozenset = frozenset()) -> tuple[str, str] | None:
    """(answer text, its Markdown) when a line starts an answer: `A：`, `答：`, `Answer:`, a profile's label, or
    (when `speaker`: a question waits for its answer) a bold speaker label (`**Maintainer**：`)."""
    for r in profile.extra("answer"):
        m = r.match(p.text)
        if m:
            return p.text[m.end():], r.sub("", p.md, count=1)
    if ANSWER.match(p.text):
        if WHO_ANSWERS.fullmatch(ANSWER.sub("", p.text, count=1)):
            return "", ""                         # `A：核心开发者 @许砚 回答`, the answer below
        return ANSWER.sub("", p.text, count=1), ANSWER_MD.sub("", p.md, count=1)
    if REPLIED.match(p.text):
        return "", ""
    m = SALUTATION_LEAD.match(p.text) if speaker and p.text.lstrip().startswith(("Dear", "亲爱的")) else None
    if m:                                         # `**Dear Sleepless,** alerts that …`: the reply to a letter
        return p.text[m.end():], re.sub(r"^\s*(?:\*\*|__)?[^,，:：]{1,40}[,，:：]\s*(?:\*\*|__)?\s*", "", p.md, count=1)
    if DEFINITION.match(p.text):
        return DEFINITION.sub("", p.text, count=1), DEFINITION.sub("", p.md, count=1)
    # `**Answer** (by @maintainer): …`, `回复（@杨帆）：…` (explicit); `Dev's answer: …` (after a question)
    m = ANSWER_BY.match(p.text) or (ANSWER_OF.match(p.text) if speaker else None)
    if m:
        return p.text[m.end():], after_label(p.md, bold=True)
    m = re.match(r"^\s*A\s*\d{0,2}\s*[.．]\s+", p.text) if speaker else None
    if m:                                         # `**A.** …` after a `**Q.**` question
        return p.text[m.end():], re.sub(r"^\s*(?:\*\*|__)?\s*A\s*\d{0,2}\s*[.．]\s*(?:\*\*|__)?\s*", "", p.md, count=1)
    m = NAMED_ANSWER.match(p.text) if speaker or p.text.lstrip().startswith("@") else None
    if m:                                         # `官方回复：…`, `维护者 回答：…`; `@小鹿（社区志愿者） 回复：` anywhere
        return p.text[m.end():], after_label(p.md, bold=True)
    m = PLAIN_SPEAKER.match(p.text) if speaker and speakers else None
    if m and m.group("name") in speakers:        # `Nebula：…`, the post's usual answerer
        return p.text[m.end():], after_label(p.md)
    m = CHECK_ANSWER.match(p.text) if speaker else None
    if m:                                         # `✅ Start it with …` under `❓ **How can I …?**` (`✅ A：…` too)
        rest = Piece("line", p.text[m.end():], CHECK_ANSWER.sub("", p.md, count=1), line=p.line)
        return _answer_label(rest, profile, speaker, speakers) or (rest.text, rest.md)
    m = SPEAKER_MD.match(p.md) if speaker else None
    if m and m.group("name").strip().startswith("@") and MAINTAINER_ROLE.search(m.group(0)):
        return after_label(p.text), p.md[m.end():]     # `**@许诺（核心维护者）**：…` under the question: the answer
    m = (SPEAKER_MD.match(p.md) or (p.md.lstrip()[:1] in "*_" and SPEAKER_EM.match(p.md))) if speaker else None
    if m and not re.match(rf"^\s*{NUM}", m.group("name")) and not m.group("name").strip().startswith("@") \
            and len(m.group("name").split()) <= 4 and not QUESTION_PART.match(m.group("name").strip()):
        return after_label(p.text), p.md[m.end():]
    return None


# who a bold `**@name（…）**` label says answers: a maintainer, the core team, a working group
MAINTAINER_ROLE = re.compile(r"[（(][^()（）]{0,12}(?:维护者|maintainer|committer|PMC|核心|作者|官方|团队|组|team|core)[^()（）]{0,12}[)）]", re.I)
ANSWERER_LINE = re.compile(r"^\s*(?:[^\s:：，,。？?!！@#]{0,12}\s*(?:回复|回答|答复|解答|答)|A\s*\d{0,2}|Answer|Reply)"
                           r"(?:\s*[（(][^()（）\n]{1,40}[)）])?\s*[:：.．]?\s*$", re.I)   # (`**Answer (Ines, two days later)**`)


def _answerer_line(parts: list[Piece], n: int, text: str, profile: Profile) -> bool:
    """A bold line alone while a question waits, naming who answers (`**维护者回复**`, `**A**`, or a short name
    like `**周航**` when plain text follows it): the answer is below it, not a new section."""
    if ANSWERER_LINE.match(text):
        return True
    nxt = parts[n + 1] if n + 1 < len(parts) else None
    return (bool(re.fullmatch(r"[^\s:：，,。？?!！@#、.．]{1,12}|[A-Za-z]+(?: [A-Za-z]+){0,2}", text.strip()))
            and not _editorial(text) and not is_qa_heading(text, profile)
            and nxt is not None and nxt.kind in ("line", "block") and not nxt.bold
            and _asker(nxt.text.replace("*", ""), nxt.md, profile) is None and not QLINE.match(nxt.text))


ACCOUNT_WORDS = r"问题描述|问题详情|问题现象|现象描述|问题背景|problem|description|symptoms?"   # labels of a question's account
# the parts of a listed question's nested list: `- 问题描述：…`, `- 解决方案：…`, `- 追问（@x）：…`, `- 解答：…`
PART_ASKS = rf"{ACCOUNT_WORDS}|追问|再问|follow-?up"      # the parts that ask: the account, a follow-up
PART_LABEL = (rf"(?P<part>{PART_ASKS}|解决方案|解决办法|解决方法|处理方法|解答|回答|答复|回复|答|solution|fix|answer)"
              r"\s*(?:[（(][^()（）\n]{1,30}[)）])?\s*[:：]\s*")
PART_LINE = re.compile(rf"^{PART_LABEL}", re.I)
PART_LINE_MD = re.compile(rf"^[-*+]\s+(?:\*\*|__)?{PART_LABEL}(?:\*\*|__)?\s*", re.I)
ASKS_PART = re.compile(PART_ASKS, re.I)


# `（提问：@zhao_yi）` after a listed title, `提问人：Gitee 用户 @x` as its first part: who asked
ASKER_NOTE = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?[（(]?\s*(?:提问|提问人|提问者|asked\s+by)\s*(?:\*\*|__)?\s*[:：]\s*"
                        r"(?:\*\*|__)?(?P<name>[^\n]{1,40}?)\s*[)）]?\s*$", re.I)


def _described_parts(turn: Turn) -> tuple[list[Turn], str | None] | None:
    """A listed title whose nested list tells its parts (`- 问题描述：…`, `- 解决方案：…`, then `- 追问（@x）：…` and
    `- 解答：…`): the account is the question's, the solution its answer, a follow-up and its answer the next turn;
    and who asked, when a line before the parts says (`（提问：@x）`, `- 提问人：x`). None when the parts do not pair
    up that way."""
    def parts(lines: list[str], label: re.Pattern) -> tuple[list[str], list[tuple[str, list[str]]]]:
        lead, out = [], []
        for line in lines:
            m = label.match(line)
            if m:
                out.append((m.group("part"), [line[m.end():]]))
            elif out:
                out[-1][1].append(line)
            elif line.strip():
                lead.append(line)
        return lead, out
    lead, plain = parts(turn.a.split("\n"), PART_LINE)
    _, md = parts((turn.a_md or "").split("\n"), PART_LINE_MD)
    if (len(plain) < 2 or len(plain) != len(md) or len(lead) > 1
            or (lead and not ASKER_NOTE.match(lead[0]))):
        return None
    if [bool(ASKS_PART.fullmatch(part)) for part, _ in plain] != [i % 2 == 0 for i in range(len(plain))] or len(plain) % 2:
        return None                      # (the parts must go account, answer, follow-up, answer, …)
    turns = [Turn(q=_join([turn.q, *plain[0][1]]), a=_join(plain[1][1]),
                  q_md=_join([turn.q_md or "", *(x.strip() for x in md[0][1])]), a_md=_join(md[1][1]))]
    for i in range(2, len(plain), 2):
        turns.append(Turn(q=_join(plain[i][1]), a=_join(plain[i + 1][1]), q_md=_join(md[i][1]), a_md=_join(md[i + 1][1])))
    return turns, (_name(ASKER_NOTE.match(lead[0]).group("name")) if lead else None)


# `**问题描述：** …`, `**Problem:** …`: the label of a question's account, under a title that does not ask
DESCRIBED = re.compile(rf"^\s*(?:{ACCOUNT_WORDS})\s*[:：]\s*\S", re.I)


# `用户 @Marco_L 反馈，…`, `群友 @x 提问，…` opening that account: who asked
REPORTED_BY = re.compile(rf"^\s*(?:{ROLE})?\s*@(?P<name>[^\s@，,：:。]{{1,30}})\s*(?:反馈|提问|问到|问|遇到|报告|表示)")


def _described_below(parts: list[Piece], n: int, profile: Profile = DEFAULT, asks: bool = False) -> bool:
    """Whether heading n is a question's title: a labelled account of the problem (DESCRIBED) right below it, or,
    under a heading that `asks` (a question, or a linked title), plain text and then a labelled answer (`### [Why do
    untranslated pages 404?](…)`, what the reader saw, then `**Answer:** …`): the text between title and label tells
    the question. (A topic's heading, `### Storage`, over an intro line is no question.)"""
    p = parts[n + 1] if n + 1 < len(parts) else None
    if p is None or p.kind != "line":
        return False
    return bool(DESCRIBED.match(p.text)) or (asks and not p.bold and not QUESTION_END.search(p.text)
                                             and _answer_label(p, profile, True) is None
                                             and _explicit_answer_ahead(parts, n, profile))


def _answer_next(parts: list[Piece], n: int, profile: Profile) -> bool:
    """Whether piece n is followed by a labelled answer (`A：`, `Marked answer by @x:`, `**维护者 @x 的回复**：`)."""
    p = parts[n + 1] if n + 1 < len(parts) else None
    return p is not None and p.kind == "line" and _answer_label(p, profile, speaker=True) is not None


def _plain_next(parts: list[Piece], n: int, profile: Profile) -> bool:
    """Whether piece n is followed by plain text (not a question, an asker line or a bold line)."""
    p = parts[n + 1] if n + 1 < len(parts) else None
    if p is None or p.kind not in ("line", "block") or p.bold:
        return False
    text = p.text.replace("*", "")
    return _asker(text, p.md, profile) is None and not QLINE.match(text) and not ASKER_NONE.match(text)


def _qa_goes_on(parts: list[Piece], n: int, profile: Profile) -> bool:
    """Whether, after piece n and the text under it, the Q&A goes on (an asker line, a question line or a quote
    comes before any heading): a bold line there is a sub-title in an answer, not the next section."""
    for p in parts[n + 1:n + 30]:
        if p.kind == "heading":
            return False
        if p.kind == "quote":
            return True
        if p.kind == "line":
            text = p.text.replace("*", "")
            if _asker(text, p.md, profile) is not None or QLINE.match(text) or ASKER_NONE.match(text):
                return True
            if p.bold and (_editorial(text) or is_qa_heading(text, profile)):
                return False
    return False


def _again_of(name: str | None, item: _Item | None) -> bool:
    """Whether a label names the asker of the answered item again (`Ahmed again` under Ahmed Rahimi's): a turn."""
    if FOLLOW_PAREN.match((name or "") + "：") and item is not None and not item.done and not item.listed \
            and item.turn()[2] is not None:
        return True                      # `**A 同学（追问）**：…` in a chat digest: whoever asked the thread, again
    again = re.fullmatch(r"(?P<who>\S+(?:\s+\S+){0,2}?)\s+(?:again|once more)", name or "", re.I)
    if not (again and item is not None and not item.done and item.asker and item.turn()[2] is not None):
        return False
    who = again.group("who").split()         # `Tobi again`, `Tobi A. again` under Tobi A.'s: the words of the
    return item.asker.split()[:len(who)] == who   # asker's name, from the first


def _newcomer(name: str, item: _Item | None, all_items: list[_Item]) -> bool:
    """Whether a speaker joins a dialogue whose thread was answered (or opens one under a new topic, no thread
    open): neither its asker nor anyone who answered in the post. Their message asks, even when it goes on after
    its question mark (`random q — is quillc written in quill? i keep seeing conflicting answers`)."""
    who = _name(name.strip().lstrip("@"))
    if item is None:                     # (the first message under a chat digest's next topic: `**D 同学**：…？…`)
        return all(it.answerer is None or who != it.answerer for it in all_items)
    return (not item.done and item.turn()[2] is not None and who is not None
            and who != item.asker and all(who != it.answerer for it in all_items))


def _speaker_asks(name: str, item: _Item | None, profile: Profile) -> bool:
    """Whether a bold speaker's question (`**小柯**：…？`) opens a new item: no item waits for an answer, the speaker
    is not the one answering it, and the label is a name (not `A`, `Q`, `问题`)."""
    name = name.strip()
    if (not name or QUESTION_PART.match(name) or re.match(rf"^\s*{NUM}", name) or ANSWER.match(name + "：")
            or QLINE.match(name + "：x") or (ASKER_NONE.match(name + "：") and not ANONYMOUS.search(name))
            or len(name.split()) > 4):
        return False                             # (`**匿名用户**：…？` asks, though nobody is named)
    if item is None or item.done:
        return True
    return item.turn()[2] is not None and _name(name.lstrip("@")) not in (item.answerer, item.asker)


INTERVIEWER = re.compile(r"(?:the\s+)?interviewers?|记者|采访者|采访人", re.I)


# `（@a、@b、@c 本周都问到了类似问题）`, `@风铃、@Kevin_Wu 都问到`: several people asked the question above
MANY_ASKED = re.compile(r"^\s*[（(]?\s*@(?P<first>[^\s@、，,()（）]{1,30})(?:\s*[、，,和及与]\s*@[^\s@、，,()（）]{1,30})+"
                        r"[^()（）\n?？]{0,12}?问(?:到|过)[^()（）\n?？]{0,30}[)）]?\s*[。.]?\s*$")
SHARED_ANSWER = re.compile(r"(?:一起|合并|统一)(?:回答|解答|答复)|同一个(?:回答|答案)|答案(?:相同|一样)|"
                           r"\bsame answer\b|\banswer(?:ed)? (?:them|both|these) together\b|\btake them together\b", re.I)
POLL = re.compile(r"^\W{0,3}\s*(?:投票|投个票|小调查|poll|vote)(?:\s*[|｜:：—–-]|\b)", re.I)
NOT_A_QUESTION = re.compile(r"^\s*(?:not\s+(?:really\s+)?a\s+question|(?:just\s+)?(?:a|more\s+(?:of\s+)?a)\s+comment\b|"
                            r"(?:I\s+)?just\s+wanted\s+to\s+(?:say|thank)|不是(?:提问|问题)|没有问题[，,]|只是想说)", re.I)
THANKS = re.compile(r"^[^?？\n]{0,30}(?:可以了|好了|解决了|搞定了|成功了|works\s+now|that\s+(?:did\s+it|fixed\s+it))"
                    r"(?:[，,\s]*(?:谢谢|感谢|多谢)[^?？\n]{0,6})?[\s!！。.~👍🙏]*$|"     # (`可以了，谢谢！`)
                    r"^\s*(?:(?:oh|ah|ok(?:ay)?|nice|cool|great|i\s+see|will\s+(?:try|do)(?:\s+(?:it|that))?)[\s,.!]+){0,3}(?:thanks|thank\s+you|thx|cheers|(?:that|it)\s+(?:works|worked)|works\s+(?:perfectly|great|now)|"
                    r"perfect|got\s+it|great|awesome|好的|谢谢|感谢|多谢|明白|懂了|解决了|搞定)"
                    r"|^[\s👌👍🙏✅🎉❤️!！~]+$", re.I)      # (an emoji alone: `👌`)


def _thanks(reply: str) -> bool:
    """A reply that only thanks or says it worked (`works perfectly, thank you!!`, `好的，谢谢`): no turn."""
    return bool(THANKS.match(reply)) and len(reply) <= 80


def _me_too(reply: str) -> bool:
    """A short reply that only says "me too" (`同问`, `+1, same problem here`), neither answer nor question."""
    return len(reply) <= 40 and bool(ME_TOO.match(reply))


# A reply that puts the question off is no answer. Three strengths, each read where it cannot take an answer for
# a put-off: DEFERRED, said in passing (`我们下期专门聊`, `next time`), only in a reply of a few words; ANSWER_LATER,
# a promise of the real answer (`下期周报再给大家同步`, `结论出来后会单独发文说明`, `we'll report back in the next
# issue`, `still investigating`), in a short reply that does not open by answering (ANSWER_OPENER); NO_ANSWER_YET,
# how a reply opens when there is none (`This one has no answer yet`, `暂无回答，欢迎…`), at any length.
DEFERRED = re.compile(r"下一?期[^。？?]{0,10}?(?:专门|再)?(?:聊|讲|说|分享|写|介绍)|(?:以后|下次|改天)再(?:聊|讲|说)|"
                      r"(?:next|another) (?:time|episode|session)|(?:we'll|we will) (?:cover|get to) (?:it|that|this) later|"
                      r"(?:devoting|dedicating|saving\s+(?:it|this)\s+for)\s+next\s+(?:month|week|issue)['’]?s?", re.I)
DEFERRED_CHARS = 40
ANSWER_LATER = re.compile(
    r"(?:下一?期|下次(?:双周会|周会|例会|会议|直播|分享)|(?:后续|之后)的?(?:周报|月报|通讯|直播|文章|推送))[^。？?]{0,12}?(?:再|会)?(?:给大家|跟大家|和大家)?(?:详细|具体|统一|正式)?(?:同步|答复|回复|更新|说明|公布|解答|回答|答)|"
    r"(?:结论|进展|结果)出来(?:之?后|以后)?[^。？?]{0,6}?(?:会|再)|有(?:结论|进展|消息)(?:之?后|了)?再|单独(?:发文|写文章|成文)|再统一(?:回复|答复)|"
    r"(?:回头|晚点|稍后)(?:确认|看看|查一下|研究一下)?[^。？?]{0,6}?再(?:回复|答复|回答)|"
    r"\b(?:we'll|we will|will)\s+(?:report back|follow up|revisit (?:this|it)|update (?:you|this|readers)|summari[sz]e the outcome)|"
    r"\bstill (?:investigating|evaluating|discussing|deciding)\b|\bhaven't decided yet\b|\bno (?:answer|conclusion|decision) yet\b|\bran out of time\b|\bhold that thought\b|"
    r"\b(?:we'll|we will) have (?:a |an |the )?(?:proper |full |real |better )?answer\b|"
    r"\b(?:we'll|we will) (?:dedicate|devote|save) (?:a |the |some )?(?:section|space|column|article)\b|(?:暂时|目前)?(?:没有|尚无|暂无)(?:结论|定论)|"
    r"\breport back (?:in |on )?(?:the )?(?:next|a future|a later)\b|"
    r"\b(?:will|'ll) answer (?:it|this|that)(?: one)? (?:in|on) (?:the next|a future|a later)\b|"
    r"\b(?:in|on) (?:an?|the) (?:future|later|coming|upcoming|next) (?:issue|roundup|edition|stream|newsletter|post|episode|recap)\b", re.I)
# how a reply opens when it answers right away (`可以。…`, `Yes, …`, `不支持，…`)
ANSWER_OPENER = re.compile(r"^\s*(?:(?:yes|no|yep|nope|sure)\b|是的|不是|可以|不可以|不行|支持|不支持|会的|不会|暂不|暂时不|目前不)",
                           re.I)
LATER_CHARS = 160        # a longer answer that promises more later has said something now
NO_ANSWER_YET = re.compile(r"^\s*(?:(?:this|that)(?: one| question)? |it )?(?:has|had|got) no (?:answers?|replies) yet\b|"
                           r"^\s*(?:nobody|no one|no-one) has (?:answered|replied to) (?:this|it|that)(?: one| question)? yet\b|"
                           r"^\s*(?:we\s+)?(?:honestly\s+|really\s+|just\s+)?(?:don't|do not)\s+know\s+(?:that\s+)?yet\b|"
                           r"^\s*[*_]?(?:we're|we are)\s+still\s+(?:writing|working on)\s+(?:this|the|an)\s+answer\b|"
                           r"^\s*(?:no (?:marked |accepted )?answers?|no replies|unanswered)(?: on the (?:list|forum|thread))? (?:yet|so far)\b|"
                           r"^\s*still open\s*[:：.!—–-]|"
                           r"^\s*(?:这个问题)?(?:目前|暂时)?(?:暂无|暂时没有|还没有人?|尚无)(?:人)?(?:好的|确定的|明确的)?"
                           r"(?:回答|答案|回复|解答|结论)", re.I)


def _deferred(answer: str) -> bool:
    """A short answer that only puts the question off (`我们下期专门聊`, `we'll cover that next time`, `still
    investigating; we'll follow up in a future issue`), or one that opens by saying there is none yet (`This one
    has no answer yet and …`, `暂无回答，欢迎…`)."""
    answer = ASKED_BY_LEAD.sub("", answer, count=1).strip()    # (`— asked by @x` over a listed question's reply)
    return ((len(answer) <= DEFERRED_CHARS and bool(DEFERRED.search(answer))) or bool(NO_ANSWER_YET.match(answer))
            or (len(answer) <= LATER_CHARS and bool(ANSWER_LATER.search(answer)) and not ANSWER_OPENER.match(answer)))


EARLIER_QUESTION = re.compile(
    r"^\s*(?:(?:a|one)\s+)?follow[- ]?up\s+(?:to|on)\s+(?:my|the)\s+(?:earlier|previous|last|first)\s+question\s*[:：,，.—-]\s*|"
    r"^\s*(?:follow[- ]?up|追问)\s*[:：]\s*|"       # (`### Q: Follow-up: What happens …?` by the same asker)
    r"^\s*(?:接着|关于|针对)?我?(?:(?:之前|前面|上面|上次|刚才)(?:的|那个)问题|上一?个问题|上一题)[，,:：]?\s*(?:再?追问|补充|再问)?\s*[:：，,]\s*", re.I)


def _asked_before(items: list[_Item], item: _Item) -> _Item | None:
    """The earlier item this one follows up, when its question says so (`Follow-up to my earlier question: …`,
    `关于我之前的问题，追问：…`) and the same asker asked that one: the follow-up is a turn of that thread, even
    with other questions between them; or, right after the same asker's thread, when it cannot stand alone
    (`那能不能…？`, `And what about …?`)."""
    if not item.asker or len(item.turns) != 1 or not item.turns[0][0]:
        return None
    if EARLIER_QUESTION.match(item.turns[0][0][0]):
        return next((it for it in reversed(items) if it.asker == item.asker and it.turns), None)
    if (ELLIPTIC.match(item.turns[0][0][0]) and items and items[-1].asker == item.asker and not items[-1].listed
            and not (item.links and items[-1].links)):
        return items[-1]                 # `**@阿木** 提问：` again, `> 那能不能按用户单独设置？`: the same thread
        # (unless each has a project link line of its own: the editors published two threads)
    return None


def _asks_below(parts: list[Piece], n: int) -> bool:
    """Whether piece n is followed by a quote that asks (ends with a question mark) and a reply (`↳ …`, or a bold
    speaker: `**u/pebblecast_maya** (team):`)."""
    return (n + 2 < len(parts) and parts[n + 1].kind == "quote" and ends_question(parts[n + 1].text)
            and parts[n + 2].kind == "line" and bool(
                REPLY_MARK.match(parts[n + 2].text)
                or (SPEAKER_MD.match(parts[n + 2].md) and re.search(r"^\s*(?:u/|@)|[·•]", parts[n].text))))
    # (a handle, not a topic's title: `**备份与恢复**` over a quoted question and `**Nebula**：…` is a group)


def _has_replies(parts: list[Piece], n: int) -> bool:
    """Whether the paragraph piece n starts is followed by a reply marked `→` / `↳` (a chat's or the minutes'), or
    by a quoted reply led by its speaker's bold name (`> **kit** (maintainer): …`, a chat recap's)."""
    last = _paragraph_end(parts, n)
    while last + 1 < len(parts) and parts[last + 1].kind == "block":
        last += 1                                      # (the message's code, then the reply)
    nxt = parts[last + 1] if last + 1 < len(parts) else None
    return nxt is not None and ((nxt.kind == "line" and bool(REPLY_MARK.match(nxt.text)))
                                or (nxt.kind == "quote" and bool(SPEAKER_MD.match(nxt.md))))


def _paragraph_end(parts: list[Piece], n: int) -> int:
    """The last piece of the paragraph piece n starts: the lines right below it (a paragraph is cut into lines)."""
    while (n + 1 < len(parts) and parts[n + 1].kind == "line" and parts[n].kind == "line"
           and parts[n + 1].line == parts[n].line + 1 and not parts[n + 1].bold
           and not SPEAKER_MD.match(parts[n + 1].md) and not ANSWER.match(parts[n + 1].text)
           and not REPLY_MARK.match(parts[n + 1].text)):
        n += 1                             # (a line led by a label or `→` starts something else: `**赵磊**：…`)
    return n


def _asked_below(parts: list[Piece], n: int) -> bool:
    """Whether a line below piece n, before the next heading or bold line, says who asked (`<sub>Originally asked in
    #988 …</sub>`): a `<details>` summary that names a topic (`Backing up and restoring the configuration`) over
    its answer is then a question too; with no such line (`Release history`) it is the page's own."""
    for p in parts[n + 1:n + 40]:
        if p.kind == "heading" or (p.kind == "line" and p.bold):
            return False
        if p.kind == "line" and (ASKED_BY.match(p.text) or QUESTION_FROM.match(p.text)):
            return True
    return False


def _starts_paragraph(parts: list[Piece], n: int) -> bool:
    """Whether line n starts its paragraph (a hard-wrapped paragraph is a line piece per source line)."""
    return n == 0 or parts[n - 1].kind != "line" or parts[n - 1].line != parts[n].line - 1


def _notes_end_section(parts: list[Piece], n: int) -> bool:
    """Whether the paragraph at piece n, and any after it, are the editor's notes to readers (READER_NOTE) up to
    the end of the section (`*Transcript ends here; …*` then `Next office hours: …`)."""
    while True:
        end = _paragraph_end(parts, n)
        if _section_ends(parts, end):
            return True
        n = end + 1
        if parts[n].kind != "line" or not (READER_NOTE.match(parts[n].text) or SIGN_OFF.match(parts[n].text)):
            return False                 # (the editors' sign-off under their note, `—— 萤火社区编辑部`, closes too)


def _closing_byline(text: str) -> str | None:
    """Who a dash line names (`— asked by x`, `— Priya, Bengaluru`), "" for somebody unnamed (`— a reader who …`),
    None when the line is no such byline (nor one that says who answered: `— 回答者：…`)."""
    if ANSWERED_BY_LINE.match(text):
        return None
    m = DASH_ASKED.match(text)
    if m:
        return _name(m.group("name")) or "" if m.group("name") else ""
    m = re.match(r"^\s*[—–]{1,2}\s*(?P<who>\S.{0,80})$", text)
    if m and ANONYMOUS.match(m.group("who")):
        return ""
    m = SIGN_OFF.match(text)
    return _name(m.group("name")) or "" if m and _plausible_name(m.group("name")) else None


ITALIC_OPEN = re.compile(r"^\s*(?:\*(?!\*)|_(?!_))\S")


def _signed_letter(parts: list[Piece], n: int, profile: Profile) -> bool:
    """Whether piece n starts a reader's letter with no label: a plain paragraph that asks something, the
    writer's signature right under it (`*— Ruth Abernathy*`), then the labelled reply (`**Editor's reply:**`)."""
    p = parts[n]
    if n and parts[n - 1].kind == "line" and parts[n - 1].line == p.line - 1:
        return False                                     # (not the first line of its paragraph)
    end = _paragraph_end(parts, n)
    lines = parts[n:end + 1]
    signed = (end + 1 < len(parts) and parts[end + 1].kind == "line"
              and _closing_byline(parts[end + 1].text) is not None)     # (`— a reader who …`: somebody, unnamed)
    # (a letter set in italics, as a newsletter prints readers' mail, needs no label on the reply below it)
    italic = bool(ITALIC_OPEN.match(lines[0].md)) and lines[-1].md.rstrip().endswith(("*", "_")) \
        and end + 2 < len(parts) and parts[end + 2].kind == "line" and not parts[end + 2].bold
    return bool(signed and (_answer_next(parts, end + 1, profile) or italic)
                and any(re.search(r"[?？]", x.text) for x in lines)
                and not any(x.bold or x.lead or _label_like(x.text) or _asker(x.text, x.md, profile) is not None
                            or _answer_label(x, profile, speaker=True) is not None for x in lines))


def _thread_ends(parts: list[Piece], n: int, profile: Profile) -> bool:
    """Whether the thread at piece n ends after it: the section ends, or the next piece opens another item."""
    nxt = parts[n + 1] if n + 1 < len(parts) else None
    return _section_ends(parts, n) or (nxt.kind == "line" and (
        _opens_item(nxt.text.replace("*", ""), profile)
        or (READER_NOTE.match(nxt.text) is not None and _section_ends(parts, _paragraph_end(parts, n + 1)))))


def _section_ends(parts: list[Piece], n: int) -> bool:
    """Whether nothing but the end of the section (a heading, a bold title line, the end) follows piece n."""
    nxt = parts[n + 1] if n + 1 < len(parts) else None
    return nxt is None or nxt.kind == "heading" or (nxt.kind == "line" and nxt.bold)


def _byline_then_answer(parts: list[Piece], n: int, profile: Profile) -> bool:
    """Whether piece n, a labelled question, is followed by a line that only says who asked and then by a
    labelled answer: a Q&A under any heading (`❓ **…?**` / `🙋 Asked by Nadia` / `✅ Start it with …`)."""
    if n + 2 >= len(parts) or parts[n + 1].kind != "line" or parts[n + 2].kind != "line":
        return False
    who = _asker(parts[n + 1].text.replace("*", ""), parts[n + 1].md, profile)
    return who is not None and not who[1] and _answer_label(parts[n + 2], profile, speaker=True) is not None


def _labelled_after_quote(parts: list[Piece], n: int, profile: Profile) -> bool:
    """Whether a quote follows piece n and a labelled answer follows the quote (`*Asked by x, accepted answer by
    y*`, `> the question`, `**Accepted answer, summarised:** …`): then the quote asks."""
    j = n + 1
    while j < len(parts) and parts[j].kind == "quote":
        j += 1
    return j > n + 1 and j < len(parts) and parts[j].kind == "line" and _answer_label(parts[j], profile) is not None


def _explicit_answer_ahead(parts: list[Piece], n: int, profile: Profile, speakers: bool = False) -> bool:
    """An `A：` label (or, `speakers`, a bold speaker label) further on in the same item: bold labels before an
    `A：` (`**背景**：`) are part of the question."""
    for p in parts[n + 1:n + 40]:
        if p.kind in ("heading", "item", "quote"):
            return False
        if p.kind == "line":
            text = p.text.replace("*", "")
            if (_asker(text, p.md, profile) is not None or QLINE.match(text) or ASKER_NONE.match(text)
                    or FOLLOW_UP.match(text) or FOLLOW_UP_ALONE.match(text)):
                return False                     # (an `A：` after `追问：…` answers the follow-up)
            if (ANSWER.match(p.text) or ((by := ANSWER_BY.match(p.text)) and re.search(r"[:：]", by.group(0)))
                    or DEFINITION.match(p.text) or REPLIED.match(p.text)
                    or any(r.match(p.text) for r in profile.extra("answer"))):   # (`**答（维护者 吴桐）：**` too)
                return True
            if p.text.lstrip().startswith("@") and NAMED_ANSWER.match(p.text):
                return True                       # `@宋彦 回复：…` under a quoted issue
            if speakers and (sp := SPEAKER_MD.match(p.md)) and not FOLLOW_WORD.search(sp.group("name")):
                return True                       # (not `**Ahmed again:** …`: the asker's next question)
    return False


# a comments digest (`留言精选`): `**🐳 蓝鲸不流泪**` over the quoted comment, then `作者回复：`
COMMENTER = re.compile(r"^\s*(?:[^\w\s@]{1,3}\s*)?(?P<name>[^\s，。,:：？?!！]{1,20}(?: [^\s，。,:：？?!！]{1,20}){0,2})\s*$")
AUTHOR_REPLY = re.compile(r"^\s*(?:作者|小编|编辑|博主|主编|author)\s*(?:回复|答复|reply|replied)?\s*[:：]", re.I)
# the same reader again, under the author's reply: `🐳 蓝鲸不流泪（回复作者）`
REPLY_TO_AUTHOR = re.compile(r"^\s*(?:[^\w\s@]{1,3}\s*)?(?P<name>[^\s，。,:：？?!！（(]{1,20}(?: [^\s，。,:：？?!！（(]{1,20}){0,2})\s*"
                             r"[（(]\s*(?:回复|reply(?:ing)?\s+to)\s*(?:作者|小编|编辑|博主|the\s+author)?\s*[)）]\s*$", re.I)


def _author_replies(parts: list[Piece], n: int) -> bool:
    """Whether a quote follows piece n and the author's reply (`作者回复：…`) follows the quote."""
    return (n + 2 < len(parts) and parts[n + 1].kind == "quote" and parts[n + 2].kind == "line"
            and bool(AUTHOR_REPLY.match(parts[n + 2].text.replace("*", ""))))


NUMBERED_NAME = re.compile(rf"^\s*{NUM}(?P<name>[^\s，。,:：？?!！]{{1,20}}(?: [^\s，。,:：？?!！]{{1,20}}){{0,2}})\s*$")


def _followed_by_pairs(parts: list[Piece], n: int, profile: Profile, quote_only: bool = False) -> bool:
    """Whether the pieces after a bold line (up to the next heading or bold line) hold a question and an answer:
    then the bold line is a topic over Q/A pairs (or, `quote_only`, the asker of the quoted question after it)."""
    asked = False
    for k, p in enumerate(parts[n + 1:n + 40]):
        if p.kind == "heading" or (p.kind == "line" and p.bold and _answer_label(p, profile, True) is None):
            return False
        if quote_only and not k and p.kind != "quote":
            return False
        if p.kind == "item":
            # a list led by questions (`- **Why …?** …`), not a list of changes (`- **New:** …`)
            return not quote_only and p.lead in ("link", "bold", "italic") and bool(QUESTION_END.search(p.text))
        if p.kind == "quote" or (p.kind == "line" and (QLINE.match(p.text) or _asker(
                p.text.replace("*", ""), p.md, profile) is not None)):
            asked = True
        elif asked and p.kind == "line" and _answer_label(p, profile, True) is not None:
            return True
    return False


REPO_URL = re.compile(r"^https?://(?:www\.)?(?:github\.com|gitee\.com|gitlab\.com)/[\w.-]+/[\w.-]+/?$", re.I)
# `项目地址：url`, `GitHub: url`: a link line whose label names no project
LINK_LABEL = re.compile(r"(?:项目|代码|源码|仓库|开源|GitHub|Gitee)?\s*(?:地址|仓库|主页|链接)|官网|文档|GitHub|Gitee|(?:相关)?项目|projects?|"
                        r"(?:project|code|source)?\s*(?:repo|repository|homepage|home page|link)|docs?|documentation|"
                        r"(?:read\s+)?more|see also|更多|详情|参考|详见|参见|另见",
                        re.I)
SOURCE_LINE = re.compile(r"^\s*(?:📎|🔗)?\s*(?:\*\*|__)?(?P<label>[^:：\n*\[\]]{1,20}?)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*"
                         r"\[(?P<text>[^\]\n]*)\]\([^)\s]+\)\s*$")
SOURCE_LABEL = re.compile(r"(?:Thread|Source|Original(?: post| thread)?|Link|Discussion|Issue|PR|Docs?|原帖(?:链接|地址)?|原文(?:链接)?|"
                          r"讨论(?:帖|地址)?|帖子|详情|文档|参见|详见|另见|相关\s*(?:文档|链接|PR|Issue)|See(?: also)?|Related)", re.I)
LABEL_ONLY = re.compile(r"^\s*(「)?\s*(?P<label>[^「」：:\n]{1,40}?)\s*(?(1)」)\s*[:：]\s*$")
URL_ONLY = re.compile(r"^\s*https?://\S+\s*$")


def _join_split_link_lines(parts: list[Piece], registry: Registry) -> list[Piece]:
    """`「SOFARegistry」：` in one paragraph and its URL in the next are one project link line."""
    out: list[Piece] = []
    for p in parts:
        prev = out[-1] if out else None
        if (prev is not None and p.kind == "line" and prev.kind == "line" and URL_ONLY.match(p.text)
                and (m := LABEL_ONLY.match(prev.text.replace("*", "")))
                and (m.group(1) or registry.lookup(m.group("label")))):
            out[-1] = Piece("line", f"{prev.text.replace('*', '').strip()}{p.text.strip()}",
                            f"{prev.md}{p.md}", urls=p.urls or [p.text.strip()])
            continue
        out.append(p)
    return out


def _starts_item(text: str, profile: Profile = DEFAULT) -> bool:
    text = text.replace("*", "")
    return bool(ASKER_AT.match(text) or ASKER_NAMED.match(text) or GROUP.match(text) or ASKER_LABEL.match(text)
                or ASKER_PREFIXED.match(text) or ASKER_QLABEL.match(text) or ASKER_ROLE.match(text)
                or any(r.match(text) for r in profile.extra("asker")))


def _split_quotes(parts: list[Piece], registry: Registry, profile: Profile = DEFAULT) -> list[Piece]:
    """A blockquote that swallowed the next line (a lazy continuation line) is cut there, when that line is an
    asker line or a project link line; a blockquote that opens with an asker line (`> @name 提问：…`) is cut after
    it."""
    def ends_quote(text: str, urls=()) -> bool:
        return _starts_item(text, profile) or bool(_link_line(Piece("line", text, text, urls=list(urls)), registry,
                                                              profile))

    out: list[Piece] = []
    for p in parts:
        lines = p.text.split("\n") if p.kind == "quote" else []
        md_lines = p.md.split("\n") if lines else []
        first = relabel(md_lines[0]).replace("*", "") if lines else ""
        if lines and (QLINE.match(first) or ((who := _asker(first, first, profile)) and who[1])) and any(
                ANSWER.match(relabel(ln).replace("*", "")) for ln in md_lines[1:]):
            # a labelled Q&A inside one quote (a 飞书 highlight block exported as `> 💡 **Q：** …` / `> **A：** …`,
            # a mailbox's `> **Q (from Kwame):** …` / `> **A:** …`): its lines are read as the post's own
            for k, line in enumerate(p.md.split("\n")):
                line = relabel(line)
                children = _md.parseInline(line)[0].children
                text = inline_text(children).strip()
                if text:
                    out.append(Piece("line", text, line.strip(), is_bold_line(children), inline_urls(children),
                                     line=p.line + k))
            continue
        if p.kind != "quote" or not (any(ends_quote(ln) for ln in lines[1:]) or (lines and _quoted_asker(lines[0],
                                                                                                       profile))):
            out.append(p)
            continue
        chunk: list[str] = []
        for k, line in enumerate(p.md.split("\n")):
            children = _md.parseInline(line)[0].children
            text = inline_text(children).strip()
            if (k and ends_quote(text, inline_urls(children))) or (not k and _quoted_asker(text, profile)):
                if chunk:
                    out.append(_quote_piece(chunk, p.line))
                out.append(Piece("line", text, line.strip(), is_bold_line(children), inline_urls(children),
                                 line=p.line + k))
                chunk = []
            else:
                chunk.append(line)
        if chunk:
            out.append(_quote_piece(chunk, p.line))
    return out


QUOTED_ASKER = re.compile(rf"^\s*{NUM}?@\s*[^\s@#：:，,]{{1,40}}\s*(?:提问|#\s*\d+|[:：]\s*\S)")


def _quoted_asker(line: str, profile: Profile) -> bool:
    """`> @name 提问：…`: an asker line that opens a blockquote (it needs 提问 or an issue number, unlike `@Autowired`)."""
    line = line.replace("*", "")
    return bool(QUOTED_ASKER.match(line) or any(r.match(line) for r in profile.extra("asker")))


# `A reader in Lagos writes: …`: a reader, unnamed
FROM_LABEL = re.compile(r"^\s*(?-i:From)\s+(?P<name>[^:：\n]{1,60}?)\s*[:：]\s*(?P<rest>.*)$")   # a mailbag's, bold
# `a reader who didn't leave a name`, `one of our users`: somebody, unnamed, in a `From …:` line
FROM_SOMEBODY = re.compile(r"(?:an?|one|another)\s+(?:of\s+our\s+)?(?:[\w-]+\s+)?(?:readers?|users?|listeners?|viewers?|members?|"
                           r"subscribers?|developers?|contributors?)\b", re.I)
# A roundup's sentence that introduces the question quoted below it and who asked it: `Also from Discussions, Felix
# Brandt wanted to know:`, `**From Discussions.** Dana Ruiz asked:`, `And one more, from a reader who emailed …:`
PROSE_ASKER = re.compile(r"(?:^|(?<=[.,;!?])\s+)(?P<name>(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*){0,2})\s+"
                         r"(?:asked|wanted\s+to\s+know|wants\s+to\s+know|wondered|wrote\s+in)\s*[:：]\s*$|"
                         r"(?:^|(?<=[.,;!?])\s+)(?:and\s+)?(?:one\s+more,?\s+)?from\s+(?:a|an|one)\s+(?:[\w-]+\s+){0,2}"
                         r"(?:reader|user|listener|viewer|member|subscriber)\b[^:：\n]{0,60}[:：]\s*$", re.I)
# `Translation: Can …?` under a question asked in the other language: the editors', not the asker's words
TRANSLATION_LINE = re.compile(r"^\s*[（(]?\s*(?:(?:English\s+)?translation|in\s+English|译文|英文翻译|翻译|中文翻译)\s*[:：]\s*\S", re.I)
FOLLOW_PAREN = re.compile(r"^\s*[^\s:：（(]{1,20}(?:\s[^\s:：（(]{1,10})?\s*[（(]\s*(?:追问|再问|follow-?up)\s*[)）]\s*[:：]", re.I)
# `**4 月 8 日**`, `**4月9日（周二）**`, `**2024-04-08**`: a chat digest's day, a topic of its Q&A section
DATE_TITLE = re.compile(r"(?:\d{4}\s*[年/.-]\s*)?\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?(?:\s*[（(][^()（）]{1,6}[)）])?|\d{4}-\d{2}-\d{2}")
TOPIC_TITLE = re.compile(r"^\s*(?:[^\w\s]{1,3}\s*)?(?:话题|主题|议题|topic)\s*[一二三四五六七八九十\d]{1,3}\s*[:：·]", re.I)
# `**Translations.** The documentation is …`: a roundup's next item, titled in bold where it starts
RUN_IN_TITLE = re.compile(r"^\s*(\*\*|__)[A-Z][^*_\n]{0,30}?[.]\1\s+\S")
# `Asked by Jonas · ✔ accepted answer by Fatima`: a byline that credits the answer quoted below it
ACCEPTED_BY = re.compile(r"(?:✔|✅|☑)?\s*\b(?:accepted|marked)\s+answer\s+(?:by|from)\b", re.I)
# `### ▲ 31 · [Why …?](…)`: a question heading led by its votes
VOTES_LEAD = re.compile(r"^\s*(?:[▲△⬆↑👍]\ufe0f?\s*)?\d{1,5}\s*(?:votes?\s*)?[·•|｜]\s*(?=\S)", re.I)
# `#### 第 1 问 · 来自 @晴川`: a heading that numbers the question, then says who asked
ORDINAL_HEADING = re.compile(rf"^\s*(?:{ORDINAL_ZH}|Q\s*\d{{1,2}}|问题\s*\d{{1,2}})\s*[·•|｜:：—–-]\s*")
# a heading inside a Q&A section that only names who asks below: `From Beatriz Soto`, `From Kwame (kwame3d on
# Discord)`, `From an anonymous Discord user`, `Question 2 — Ahmed Farouk` (not `From the maintainers`)
HEADING_ASKER_ONLY = re.compile(r"^\s*(?:(?:question|letter|q)\s*\d{0,3}\s*[—–-]{1,2}\s*|from\s+)"
                                r"(?:(?P<anon>an?\s+anonymous\b[^\n]{0,40})|(?!(?:the|our|a|an|this|that|my|your|us)\b)"
                                r"@?(?P<name>[\w.'’-]+(?:\s+(?-i:[A-Z])[\w.'’-]*){0,2})(?:\s*[（(][^()（）]{1,40}[)）])?)\s*$", re.I)
# Bylines under a question (or its heading) that name who asked (examples at NAMING_LINES, which reads them)
FROM_ROLE = re.compile(rf"^\s*(?:问题|提问)?来自\s*{ROLE}\s*@?(?P<name>[^\s：:，,。@（(]{{1,20}}(?:\s(?!的|提问|问)[^\s：:，,。@（(]{{1,10}})?)"
                       r"\s*(?:[（(][^()（）]{1,20}[)）])?\s*[:：]?\s*$")      # (`来自海外用户 Lukas Meyer（德国）`: where from)
Q_FROM = re.compile(r"^\s*(?:Q|Question)\s+(?:from|by)\s+@?(?P<name>[^:：\n]{1,40}?)\s*[:：]\s*(?P<rest>.*)$", re.I)
ASKED_IT_ZH = re.compile(rf"^\s*(?:这是|本题(?:是)?|这个问题是|该问题(?:是)?)?\s*(?:{ROLE})?\s*[“「\"]?@?(?P<name>[^\s“”「」\"，,。@]{{1,20}})"
                         r"[”」\"]?\s*(?:提)?问的\s*[。.！!]?\s*$")
QUESTION_FROM_EN = re.compile(r"^\s*(?:(?:this|the)\s+)?(?:question|letter)\s+(?:from|by)\s+"
                              r"(?P<name>(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*){0,2}|@[\w.-]{2,30}"
                              r"|(?:an?|one)\s+(?:reader|user|listener|customer|developer|member)\b[^,()\n]{0,40})"
                              r"(?:\s*[（(][^()（）\n]{1,40}[)）])?(?:\s*,\s*[^\n]{0,100})?\s*[.。]?\s*$", re.I)
# `来自交流群的 何静：…`: where they asked, then who, then what (not `来自 x 的疑问：`, `…的通知：`: what, not who)
FROM_WHERE_ZH = re.compile(rf"^\s*来自[^：:，,。？?\n@]{{1,15}}?的\s*@?(?!(?:提问|问题|疑问|问|留言|通知|消息|反馈|建议|回复|{ROLE})\s*[:：])"
                           rf"(?:{ROLE}\s+@?)?(?P<name>[^\s：:，,。？?@]{{1,20}})\s*[:：]\s*(?P<rest>.*)$", re.S)   # (`来自杭州的听众 Yuki：`)
FROM_ALONE = re.compile(r"^\s*来自\s*@?(?P<name>[^\s：:，,。？?@（(]{1,20})(?:\s*[（(][^()（）]{1,20}[)）])?\s*$")
FROM_WHERE = re.compile(r"^\s*(?-i:From)\s+(?P<name>(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*){0,2}|@[\w.-]{2,30})"
                        r"\s+(?:on|via|in|at|through)\s+(?:the\s+|our\s+)?[\w#/.-]+(?:\s+[\w#/.-]+){0,3}?\s*[.。]?\s*$", re.I)
POSTING_AS = re.compile(r"^\s*(?:someone|somebody|a\s+(?:user|reader|member))\s+(?:posting|writing|going)\s+(?:as|by)\s+@?"
                        r"(?P<name>[^\s:：]{1,30})\s+(?:asked|asks|wrote|writes)\s*[:：]\s*(?P<rest>.*)$", re.I)
# Lines that name who asks, each read alike: the name (`_name`: nobody for `匿名用户`), then the rest of the line
# (the question, when the pattern has a `rest`). Tried in this order, after the label patterns of `_asker_line`:
#   `来自论坛用户 **白桦**`, `> 来自匿名用户`, `**Q from Dmitri Volkov:** …?`, `群友“老石”问的。`,
#   `Question from Ravi Menon, who …`, `From Tomasz on the mailing list.`, `Someone posting as **sqs-newbie** asked:`,
#   `**[Issue #1287](…)** · 提问者：@mlops-lee`, `来自一位匿名用户的问题：`, `**#1452 ｜ SOFARPC ｜ @hongyu-dev**`
#   (and, before a bare name, `> 来自 某电商公司的 SRE 团队`: somebody described, not named)
# `提问：@Leo-Z`, `提问：群友“夜航船”` under a question: the label names who asked, and nothing more
ASKED_LABEL_ONLY = re.compile(rf"^\s*(?:提问|提问者|提问人)\s*[:：]\s*(?:@(?P<name>[^\s@，,。？?:：]{{1,30}})|(?:{ROLE})?\s*[“「\"]"
                              r"(?P<quoted>[^”」\"]{1,20})[”」\"])\s*$")
# `第一封，来自听众「北风」：…`, `来自听众 Jessie（在柏林工作）：`, `Q2：来自 刘小满：…`: who, then what they asked
FROM_NAME_SAID = re.compile(rf"^\s*{LETTER_ORDINAL}?来自\s*(?:{ROLE})?\s*@?"
                            r"(?!(?:GitHub|Gitee|GitLab|论坛|社区|群|微信|钉钉|邮件|邮箱|issue|Discussions?|B\s*站|知乎|公众号|后台)(?![^\s：:]))"
                            rf"(?!(?:{ROLE})\s*[（(：:])「?(?P<name>[^\s：:，,。？?@（(「」的]{{1,20}})」?(?:\s*[（(][^()（）]{{1,20}}[)）])?\s*[:：]\s*(?P<rest>.*)$", re.I | re.S)
# `第三封，匿名听众：`, `来自匿名读者：`: a letter's writer, unnamed
ANON_LETTER = re.compile(rf"^\s*{LETTER_ORDINAL}?(?:来自)?\s*(?:一位)?(?:匿名|未署名)的?\s*{ROLE}"
                         r"\s*[:：]\s*(?P<rest>.*)$", re.S)
NAMING_LINES = (FROM_ROLE, FROM_NAME_SAID, FROM_SOMEBODY_ZH, FROM_ALONE, FROM_WHERE_ZH, Q_FROM, ASKED_IT_ZH, QUESTION_FROM_EN, FROM_WHERE, POSTING_AS, META_ASKER,
                QUESTION_OF, FIELDS_ASKER)
READER_WRITES = re.compile(rf"^\s*{SHOW_TIME}(?:An?|One|Another)\s+(?:anonymous\s+|unnamed\s+)?(?:reader|listener|subscriber|user|viewer|visitor|attendee)"
                           r"(?:\s+(?:in|from)\s+[^:：]{1,30}?)?"
                           r"\s+(?:writes|wrote|asks|asked)\s*[:：]\s*(?P<rest>\S.*)$", re.I | re.S)


# `> 一位没有留名的读者问：…？`, `> 有位网友在后台留言：…`: a reader, unnamed
# `主持人：线上弹幕有人问：…？`, `Moderator: A question from the chat: …?`: the host reads out somebody's question (a
# host's own question, `主持人：我先问嘉宾一个问题：…？`, names nobody who sent it, and is not one)
HOST_RELAYS = re.compile(
    rf"^\s*{HOST.pattern}\s*[:：]\s*(?:[^:：\n]{{0,12}}?(?:有人|有位|有一位|弹幕|线上|网友|观众|读者|听众|群友|评论区|留言|直播间)"
    r"[^:：\n]{0,10}?(?:问|提问|的问题)|(?:(?:a|one|another)\s+)?questions?\s+from\s+(?:the\s+|a\s+|our\s+)?"
    r"(?:chat|audience|stream|livestream|comments|viewers?|listeners?|someone|online)\b[^:：\n]{0,20}?"
    r"|(?:someone|a\s+viewer|a\s+listener|the\s+chat|chat)\s+(?:asks|asked|wants\s+to\s+know)\b[^:：\n]{0,20}?)"
    r"\s*[:：]\s*(?P<rest>\S.*[?？])\s*$", re.I)
READER_ASKS_ZH = re.compile(rf"^\s*{NUM}?(?:一位|有位|有一位|有)(?:[^：:，,。\n]{{0,10}}的|匿名)?(?:读者|观众|网友|用户|听众|朋友|开发者|同学|群友|小伙伴)"
                            r"(?:在[^：:\n]{1,10})?(?:(?:问|提问|留言)道?)?\s*[:：]\s*(?P<rest>.*)$", re.S)     # (`4. 一位…问：`,
                            # `一位没有留名的听众：`)


READER_NAMED_ZH = re.compile(rf"^\s*{ROLE}\s*「(?P<name>[^「」]{{1,20}})」\s*(?:问|提问|留言)道?\s*[:：]\s*(?P<rest>\S.*)$", re.S)


# `> Someone asked on Zulip (anonymously, which is fine!): does …?`: nobody named, then the question (`rest`), or
# `**Someone asked anonymously:**` on a line of its own over it (`rest` empty)
SOMEONE_ASKED = re.compile(r"^\s*(?:someone|somebody|a\s+(?:reader|user|listener|viewer))"
                           r"(?:\s+(?:on|in|from|via|at|who|that)\s+[^:：()（）\n]{1,50}?\s+(?:asked|asks|wondered)"
                           r"|\s+(?:asked|asks|wrote|wondered))"           # (`Someone on the list who didn't sign asks:`;
                                                                        # not `Someone who read it wrote: thanks`)
                           r"(?:\s+anonymously)?(?:\s+(?:on|in|via)\s+[^:：()（）\n]{1,30})?(?:\s*[（(][^()（）\n]{0,60}[)）])?"
                           r"\s*[:：]\s*(?P<rest>.*)$", re.I | re.S)


def _quote_asker(p: Piece, profile: Profile) -> tuple[str | None, str, str] | None:
    """(asker, question, its Markdown) when a quote opens with who asks (`**Sofia asks:** …`, `**@nkemdi:** …`,
    `A reader in Lagos writes: …`) and goes on with the question; else None."""
    first, first_md = p.text.split("\n")[0], p.md.split("\n")[0]
    label = ASKER_LABEL.match(first.replace("*", "")) if "\n" in p.text.strip() else None
    if label and _plausible_name(label.group("name")) and not (label.group("rest") or "").strip():
        # `> 提问者：@山海（论坛帖）` over the quoted question: the label line, then what was asked
        rest_md = p.md.split("\n", 1)[1] if "\n" in p.md else ""
        return _name(label.group("name")), p.text.split("\n", 1)[1].strip(), rest_md.strip()
    m = (READER_WRITES.match(p.text) or READER_ASKS_ZH.match(p.text)
         or ((led := SOMEONE_ASKED.match(p.text)) and led.group("rest").strip() and led))
    named = (READER_NAMED_ZH.match(p.text) or FROM_WHERE_ZH.match(p.text)) if m is None else None
    role = (ASKER_ROLE_SAID.match(re.sub(r"\s+", " ", p.text.replace("*", "")))
            if m is None and named is None and "\n" in p.text.strip() else None)
    if role:                                 # `> **论坛用户「北方的狼」：** 用 Loader …`, a plan, `> 是统计信息没有更新吗？`:
        rest = re.sub(r"^[^:：\n]*[:：]\s*", "", p.text, count=1)     # who asks, then the question over lines
        return (_name(role.group("name") or role.group("name2") or role.group("plain")), rest.strip(),
                re.sub(r"^[^:：\n]*[:：]\s*(?:\*\*|__)?\s*", "", p.md, count=1).strip())
    if named:                                # `> 读者「栗子不吃糖」问：…？`, `> 来自交流群的 何静：…？`
        name, rest = _name(named.group("name")), named.group("rest")
    elif m:
        name, rest = None, m.group("rest")
    else:
        who = _asker(first.replace("*", ""), first_md, profile) if BOLD_LED.match(first_md) else None
        if who is not None and not who[1] and "\n" in p.text.strip():
            # `> **Question** (asked by @x in #help)` over the quoted question: who asks, then what
            rest_md = p.md.split("\n", 1)[1] if "\n" in p.md else ""
            return who[0], p.text.split("\n", 1)[1].strip(), rest_md.strip()
        if who is None or not who[1]:
            return None
        name, rest = who[0], who[1] + p.text[len(first):]
    md = re.sub(r"^.*?[:：]\s*(?:\*\*|__)?\s*", "", p.md, count=1)
    return name, rest.strip(), md.strip()


def _quote_piece(md_lines: list[str], line: int = 0) -> Piece:
    md = "\n".join(QUOTE_PREFIX.sub("", ln, count=1) for ln in md_lines)
    tokens = _md.parse(md)
    return Piece("quote", "\n".join(_block_text(tokens)), md,
                 urls=[u for t in tokens if t.type == "inline" for u in inline_urls(t.children)], line=line)


def _split_on_answer(text: str) -> tuple[str, str | None]:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i and ANSWER_MD.match(line):
            return "\n".join(lines[:i]), ANSWER_MD.sub("", "\n".join(lines[i:]), count=1)
        if i and ANSWER_BY.match(line.replace("*", "")):      # `> A (Pim): …`
            return "\n".join(lines[:i]), ANSWER_BY.sub("", "\n".join(lines[i:]).replace("**", ""), count=1)
    return text, None


def _append(item: _Item, p: Piece, listed: bool = False):
    """`p` goes on with the item's last turn: its answer, or its question until an answer starts (`listed`: `p` is a
    list item, whose Markdown has lost its bullet)."""
    item.refs.extend(p.refs)
    t = item.turn()
    if t[2] is not None:
        t[2].append(p.text)
        t[3].append(p.md)
    elif item.quoted and p.text and (p.kind == "line" or (p.kind == "block" and (listed or LIST_MD.match(p.md) or p.md.startswith("|")
                                                                               or (item.heading and FENCE_MD.match(p.md)
                                                                                   and t[0] and HOW_ASKED.search(t[0][0])
                                                                                   and not LOG_LIKE.search(p.text)))
                                                          and t[0] and ends_question(t[0][-1]))):
        t[2], t[3] = [p.text], [p.md]                # an answer written without `A：` (or a list, right under a
                                                     # question that ended: not `Steps to reproduce:` over one; or
                                                     # code under a question heading that ended: `### How do I …?`
                                                     # over the snippet that does it)
    else:
        t[0].append(p.text)
        t[1].append(p.md)


FENCE_MD = re.compile(r"^\s*(?:```|~~~)")
# a question asking for a way (code under it shows the way), and a block that is a program's output (the asker's)
HOW_ASKED = re.compile(r"^\s*(?:Q\s*[:：]\s*)?(?:how\b|what(?:'s| is) the (?:best |right )?way\b)|怎么(?!会)|如何|怎样", re.I)
LOG_LIKE = re.compile(r"Exception|Traceback|panicked|\b(?:ERROR|FATAL|WARN)\b|\berror[:\[]|^\s*at [\w.$]+\(|"
                      r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d|报错|异常", re.M)
LIST_MARK = re.compile(rf"^\s*{LIST_MARKER}\s+")
LIST_MD = re.compile(rf"^{LIST_MARKER}\s+\S")     # (a list of its own, not one nested in a list item)
FOLLOW_WORD = re.compile(r"follow-?up|again|追问|再问", re.I)
FOLLOW_MARK = re.compile(rf"\s*[,，]\s*(?:{FOLLOW_WORD.pattern})\s*$", re.I)
ANONYMOUS = re.compile(r"(?:匿名|未署名|佚名)(?:读者|用户|网友|提问)?|(?:后台|读者)?留言|anonymous(?:\s+(?:reader|user|listener))?|anon|"
                       r"some(?:one|body)|(?:name\s+)?withheld|(?:the|an?)\s+(?:audience|reader|listener|attendee|user)|audience|"
                       r"(?:several|many|multiple|various|a\s+few|a\s+lot\s+of|lots\s+of)\s+(?:people|readers|users|folks|listeners|of\s+you)\b|"
                       r"(?:two|three|four|five|some|all|both)\s+of\s+you\b|(?:preferred|asked|wishes|wished)\s+not\s+to\s+be\s+named|"
                       r"(?:an?|one|another)\s+(?:[\w-]+\s+)?(?:customer|member|developer|contributor|colleague|maintainer|reader|user|"
                       r"poster|commenter|visitor|attendee|newcomer|lurker|listener|subscriber)\b|"
                       r"(?:一位|某)[^\s，,。]{0,12}?(?:读者|用户|网友|群友|同学|朋友|开发者|观众|听众)|"
                       r"(?:多位|好几位|几位|很多|不少)(?:读者|用户|网友|群友|朋友|同学)|不愿(?:透露姓名|具名|留名)|未留名|没有留名|"
                       r"(?:an?\s+)?deleted\s+(?:user|account)|\[deleted\]", re.I)


CHANNEL_LEAD = re.compile(r"^(?:钉钉群|微信群|QQ\s*群|交流群|社区群|用户群|技术群|邮件列表|论坛|知乎|GitHub|Gitee|Discord|Slack)\s*[:：]?\s*(?=\S)")


def _name(name: str) -> str | None:
    """`谭新宇提问` (no space before 提问) is the asker 谭新宇; `@ 提问：` (a name we cannot read) is no asker."""
    handle = re.search(r"[（(][^()（）@]*@([^\s@()（）]{1,30})\s*[)）]\s*$", name)
    if handle and not re.match(r"\s*(?:Q\s*\d{0,2}|问|Question)\s*[（(]", name, re.I):
        # `观众提问（线上观众 @bytebear）`: the handle in the brackets (a label `Q (@x)` is ASKER_QLABEL's, and
        # no speaker: the same asker's next `Q (@x):` is a question of its own)
        return _name(handle.group(1))
    name = re.sub(r"\s*的?\s*(?:(?:[两三四五六几\d]+\s*个)?\s*(?:提问|问题))?$", "", name.strip("* "))   # (`的两个提问`)
    if re.fullmatch(rf"[A-Z甲乙丙丁]\s*{ROLE}|{ROLE}\s*[A-Z甲乙丙丁]", name):
        return None                                   # `A 同学`, `同学 B`, `网友甲`: a chat log's speakers, anonymised
    handle = bool(re.match(r"^(?:(?:from|asked\s+by|来自)\s*)?@", name, re.I))    # `@开发者` is someone's handle
    name = re.sub(r"^(?:from|asked\s+by|来自)\s*@?\s*(?=\S)|^@\s*", "", name, flags=re.I)   # `**From @kemal:**`
    name = FOLLOW_MARK.sub("", name)                  # `Q (from @oduya, follow-up):` is oduya's
    if handle:
        name = re.sub(r"['’]s$", "", name)           # `@hwang.j's team renamed …`: the team of hwang.j
    name = re.sub(r"\s+(?:and|&)\s+(?:many\s+)?others?$|(?<=\S)\s*等(?:人|多人)?$", "", name)   # (`@x and many others`)
    quoted = re.search(r"「([^「」]{1,30})」|“([^“”]{1,30})”", name)    # `B 站用户「雨后晴天」` is 雨后晴天; `观众 Jason` is Jason
    name = CHANNEL_LEAD.sub("", name)                # `邮件列表 Zhang Wei`: where they asked, then who
    name = (quoted.group(1) or quoted.group(2)) if quoted else re.sub(rf"^{ROLE}\s+@?\s*(?=\S)", "", name)   # (`线上观众 @Ethan`)
    name = re.sub(r"(?<=\S)\s*[（(][^（()）]{1,40}[）)]\.?$", "", name)    # `王五（某银行）`: the person
    if (after := re.search(r"[,，]\s*([^,，@]{2,40})$", name)) and ANONYMOUS.fullmatch(after.group(1).strip()):
        return None                      # `Discussions，未署名`: where it came from, and that nobody signed it
    name = re.sub(r"(?<=\S)\s*[,，]\s*[^,，@]{2,40}$", "", name)          # `Dana Whitfield, Kestrel Logistics`
    name = re.sub(r"(?<=[a-z]{2})\.$", "", name)       # `Asked by Lorenzo Bassi.`: the sentence's, not `Tomasz W.`
    name = re.sub(r"^u/(?=\w)", "", name)             # `u/packetpilgrim`: a Reddit user's name
    # `u/packetpilgrim on Reddit`, `Jo Park via Discord`: where they asked, after the name
    name = re.sub(r"^(\S+(?:\s+[A-Z][\w'’.-]*){0,2})\s+(?:on|via)\s+(?:the\s+)?(?:[A-Z][\w.-]*|r/\w+|#[\w-]+)(?:\s+[\w-]+){0,2}$",
                  r"\1", name)
    name = re.sub(r"^(\S+(?:\s+[A-Z][\w'’.-]*){0,2})\s+in\s+#[\w-]+$", r"\1", name)   # `@devika.r in #help`
    # `Kenji from Northwind Logistics`: who, then where they work
    name = re.sub(r"^([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})\s+from\s+(?:the\s+)?[A-Z][\w.&'’-]*(?:\s+[\w.&'’-]+){0,3}$",
                  r"\1", name)
    if not handle:                                    # `蓝鲸支付 陈工`: where they work, then who (not `@Fiona 林`)
        name = re.sub(rf"^(?=\S*[{CJK}])[{CJK}\w]{{2,12}}\s+(?=[{CJK}]{{1,4}}$)", "", name)
    if not re.search(r"\w", name):
        return None          # `—`, `-`, `/` in a table's asker column: nobody named
    if QUESTION_LABEL.fullmatch(name) or ANONYMOUS.search(name) or re.match(r"(?i)the\s", name) or (
            re.fullmatch(rf"(?:线上|线下|现场|场外|在线)?{ROLE}", name) and not handle):
        return None          # `**Reader question:**`, `群友（未留名）`: what follows, or who asked but not their name
    return name or None


def _has_number(text: str) -> bool:
    return bool(re.match(rf"^\s*{NUM}", text))


def _same_person(name: str | None, asker: str | None) -> bool:
    """Whether a speaker is the thread's asker: the same name, or the first name of it (`> **Hana:** …` under Hana
    Sato's question)."""
    return bool(name and asker) and (name == asker or (" " not in name and asker.split()[0] == name))


def _plausible_asker(name: str) -> bool:
    """Whether words in parentheses before a question name who asked it (`Rohan`, `@lin`, `来自读者「小陈」`,
    `anonymous`), not say something about it (`optional`, `again`)."""
    name = name.strip()
    return bool(ANONYMOUS.fullmatch(name) or re.fullmatch(r"@\S{1,30}|[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}"
                                                          r"(?:,\s*[A-Z][\w.&'’-]*(?: [\w.&'’-]+){0,3})?", name)
                or re.fullmatch(rf"(?:{ROLE})?\s*(?:「[^「」]{{1,20}}」|[{CJK}]{{1,8}})", name))


def _plausible_name(name: str) -> bool:
    name = name.strip("* ")
    return 0 < len(name) <= 40 and not name.startswith("http")


def _label_like(text: str) -> bool:
    """A short bold line ending in a colon (`**注意：**`) inside an answer is a label, not a new section."""
    return len(text) <= 20 and text.rstrip().endswith((":", "："))


def _link_line(p: Piece, registry: Registry, profile: Profile = DEFAULT) -> tuple[str | None, str] | None:
    """(project label or None, url) when a line is a project link line, else None."""
    for r in profile.extra("link"):
        m = r.match(p.text)
        if m and m.groupdict().get("url"):
            label = (m.groupdict().get("label") or "").strip("* 「」")
            return label, p.urls[-1] if p.urls else m.group("url")
    if "http" not in p.text and "](" not in p.md:
        return None                  # (no address, no link: most lines)
    m = LINK_LINE.match(p.text)
    if not m:
        # `Thread: [lists.apache.org/thread/8kq2m](https://…)`, `原帖链接：[…](…)`: a label over one link
        # `Plugin: [birch-output-s3](https://github.com/birchpipe/birch-output-s3)`: any label over a link to a
        # repository's own address that the link names
        m = SOURCE_LINE.match(p.md)
        return ("", p.urls[-1]) if m and p.urls and (LINK_LABEL.fullmatch(m.group("label")) or
                                                     SOURCE_LABEL.fullmatch(m.group("label")) or
                                                     _names_its_repository(m.group("text"), p.urls[-1])) else None
    label = m.group("label").strip("* ")
    url = p.urls[-1] if p.urls else m.group("url")
    if m.group("arrow") and not REPO_URL.match(url):
        return None                  # `→ Docs: https://…/pause` inside an answer is a pointer of the answer's
    if LINK_LABEL.fullmatch(label) or SOURCE_LABEL.fullmatch(label):
        return "", url                            # `项目地址：url`, `Thread: url`: the URL says which, not the label
    project = registry.lookup(label)
    if m.group("open") or project:
        return label, url
    # `MOSN:url`, `SOFAJRaft：url`: a bare label counts when it looks like a project name, not a sentence
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9 .\-]{1,30}", label) and len(label.split()) <= 3:
        return label, url
    # `星图：https://github.com/owner/repo`: any short name over a repository's own address
    if REPO_URL.match(url) and len(label) <= 20 and not re.search(r"[，。,;；！!？?]", label) and not ANSWER.match(p.text):
        return label, url
    return None


def _names_its_repository(link_text: str, url: str) -> bool:
    """Whether a link goes to a repository's own address and its text is the repository's name."""
    return bool(REPO_URL.match(url)) and link_text.strip("`* ").lower() == url.rstrip("/").rsplit("/", 1)[-1].lower()


LABEL_END = re.compile(r"^[^:：]*[:：]\s*")
BOLD_LABEL_END = re.compile(r"^[^:：]*[:：]\s*(?:\*\*|__)?\s*")


def after_label(text: str, bold: bool = False) -> str:
    """What follows a line's label (`@x 追问：…`, `**Q (@x):** …`): the text after its first colon; `bold`, also
    after the bold marker that closes the label in Markdown."""
    return (BOLD_LABEL_END if bold else LABEL_END).sub("", text, count=1)


def _join(texts: list[str]) -> str:
    return re.sub(r"\n{2,}", "\n", "\n".join(s.strip() for s in texts if s and s.strip())).strip()


# `**Will my 2.x migration files still work?** (Rosa Delgado)`: a bold question, then who asked
BOLD_QUESTION_NAMED = re.compile(r"^\s*(?:\*\*|__)[^*_\n]+[?？](?:\s*(?:\*\*|__)\s*[*_]?[（(][^()（）]{1,40}[)）]"
                                 r"|[^?？*_\n]*[。.!！]\s*(?:\*\*|__)\s*[*_]?[（(]\s*@[^()（）@\s]{1,30}\s*[)）])[*_]?\s*$")
# (`**…吗？我们…。**（@Gavin）`: it asks first, then says more, and a handle says who asked; not `(since 2.2)`)
# `提问者：Wen Zhao` alone on the first line of a listed question's answer: who asked, not the answer
ASKER_FIRST_LINE = re.compile(r"^\s*(?:\*\*|__)?(?:提问者|提问人)(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?@?(?P<name>[^\n*_]{1,40}?)"
                              r"(?:\*\*|__)?\s*(?:\n|$)")
# `… by @lottie-ng` at the end of a question's title (the body may follow on the next lines)
BY_HANDLE = re.compile(r"\s+by\s+\*{0,2}@(?P<name>[\w.\-]{1,30})\*{0,2}\s*$")
# `**Q:** [Tiles are empty above z14](…) — asked by *geo_dev42*`: after a linked title (the link ends the question,
# with or without a question mark), a dash and who asked
LINK_ASKED_BY = re.compile(r"\s*[—–]{1,2}\s*(?i:asked|posted|submitted)\s+by\s+[*_]{0,2}"
                           r"(?!(?i:many|several|some|a|an|the|everyone|multiple|lots|few)\b)@?(?P<name>[\w.\-]{1,30})[*_]{0,2}\s*$")


def _account_before_label(turn: Turn) -> None:
    """A forum thread's title, its byline, the asker's account of the problem, then `**Solution:** …`: the account
    is the question's, the answer starts at the label."""
    lines, lines_md = turn.a.strip().split("\n"), (turn.a_md or "").strip().split("\n")
    at = next((i for i, line in enumerate(lines) if ANSWER.match(line)), None)
    at_md = next((i for i, line in enumerate(lines_md) if ANSWER_MD.match(line)), None)
    if at is None or at_md is None:
        return
    turn.q = _join([turn.q, *lines[:at]])
    turn.q_md = _join([turn.q_md or "", *lines_md[:at_md]])
    turn.a = _join([ANSWER.sub("", lines[at], count=1), *lines[at + 1:]])
    turn.a_md = _join([ANSWER_MD.sub("", lines_md[at_md], count=1), *lines_md[at_md + 1:]])


LABEL_TAIL = 6          # characters after a speaker's label still read as part of it (`**@x**：提问 #12`)


def _link_signed(q: str, md: str) -> re.Match | None:
    """`[Title](…) — asked by x` on a question's first line: who asked, after a linked title (`LINK_ASKED_BY`)."""
    return LINK_ASKED_BY.search(q.split("\n")[0]) if md.lstrip("*_ ").startswith("[") else None


def _restates(text: str, title: str) -> bool:
    """Whether a text says most of what a title says: at least RESTATED of the title's words (of three letters or
    more, or its Chinese characters) are in it."""
    def words(s):
        return set(re.findall(r"[a-z0-9]{3,}", s.lower())) | set(re.findall(f"[{CJK}]", s))
    said = words(title)
    return bool(said) and len(said & words(text)) >= RESTATED * len(said)


RESTATED = 0.6


def _label_pair(parts: list[Piece], n: int) -> bool:
    """Whether a label heading (`#### 问`, `#### 追问`) is one of a pair: prose under it (not a list), then a heading
    at its own level that labels an answer (`#### 答`)."""
    if n + 1 >= len(parts) or parts[n + 1].kind not in ("line", "quote"):
        return False
    nxt = next((q for q in parts[n + 1:] if q.kind == "heading"), None)
    return bool(nxt and nxt.level == parts[n].level and ANSWER_HEADING.fullmatch(nxt.text.replace("*", "").strip()))


def _signed_question(item) -> str | None:
    """Who an item's first question names on its own line (`…? — @x`, `[Title](…) — asked by x`), read while the
    item is still open (`_threads` takes the asker from there when the items become threads)."""
    q, md = (("\n".join(item.turns[0][k]) if item.turns and item.turns[0][k] else "") for k in (0, 1))
    m = DASH_TRAILING.search(q.split("\n")[0]) or _link_signed(q, md)
    if m is None:
        return None
    found = m.groupdict()
    return _name(found.get("name") or found.get("plain") or found.get("handle") or "")


def _cut_first_line(text: str, pattern: re.Pattern) -> str:
    first, newline, rest = text.partition("\n")
    m = pattern.search(first)
    return (first[:m.start()].rstrip() if m else first) + newline + rest


# `(NEW) How do I …?`, `【新增】…`: a FAQ's mark on a new entry, not part of the question
NEW_MARK = re.compile(r"^(\s*(?:\*\*|__)?)\s*[（(\[【]\s*(?:new|updated|新|新增|更新)\s*[)）\]】]\s*", re.I)


def _threads(post: Post, items: list[_Item], registry: Registry, profile: Profile = DEFAULT) -> list[Thread]:
    if not items:
        return []             # (most posts: nothing below is needed, and folding the whole body costs)
    threads, taken = [], set()
    # Topic keywords are a weak signal that only means something inside the registry's own world: a post that
    # never names one of its projects (another community's newsletter read with the default registry) gets no
    # tag from them, so a graph database's 快照 question is not tagged SOFAJRaft.
    topical = bool(registry.mentions(post.body))
    for pos, it in enumerate(items):
        turns = []
        for q, qmd, a, amd in it.turns:
            turns.append(Turn(q=_join(q), a=_join(a) if a is not None else None,
                              q_md=_join_md(qmd), a_md=_join_md(amd) if amd is not None else None))
        while len(turns) > 1 and not turns[-1].q and not turns[-1].a:
            turns.pop()
        if turns and NEW_MARK.match(turns[0].q):
            turns[0].q = NEW_MARK.sub(r"\1", turns[0].q)
            turns[0].q_md = NEW_MARK.sub(r"\1", turns[0].q_md or "")     # (`**(NEW) How …?**` keeps its bold)
        asker = it.asker
        if asker is None and turns and (m := DASH_TRAILING.search(turns[0].q)):
            asker = _name(m.group("name") or m.group("plain") or m.group("handle"))    # `…一直等？——@阿北`, `…? — *Gustavo P.*`,
            # `…? — asked by ravi.dev` (after `asked by`, a handle needs no @)
            turns[0].q = turns[0].q[:m.start()].rstrip()
            if (m_md := DASH_TRAILING.search(turns[0].q_md or "")):
                turns[0].q_md = turns[0].q_md[:m_md.start()].rstrip()
        elif asker is None and turns and (m := _link_signed(turns[0].q, turns[0].q_md or "")):
            asker = _name(m.group("name"))
            turns[0].q = _cut_first_line(turns[0].q, LINK_ASKED_BY)
            turns[0].q_md = _cut_first_line(turns[0].q_md or "", LINK_ASKED_BY)
        elif asker is None and turns and (m := BY_HANDLE.search(turns[0].q.split("\n")[0])):
            asker = _name(m.group("name"))                # `Q: [Job logs are cut off after 4 MB](…) by @lottie-ng`
            turns[0].q = _cut_first_line(turns[0].q, BY_HANDLE)
            turns[0].q_md = _cut_first_line(turns[0].q_md or "", BY_HANDLE)
        elif asker is None and turns and (m := ANON_TRAILING.search(turns[0].q)):
            turns[0].q = turns[0].q[:m.start()].rstrip()      # nobody named: the asker stays None
            turns[0].q_md = ANON_TRAILING.sub("", turns[0].q_md or "").rstrip()
        elif asker is None and turns and (m := QUOTE_ATTRIBUTION.search(turns[0].q)):
            asker = _name(ASKER_WHERE.sub("", m.group("name")))   # `> Q: …\n> — Priyanka Raman\n>\n> A: …`
            turns[0].q = turns[0].q[:m.start()].rstrip()
            if (m_md := QUOTE_ATTRIBUTION.search(turns[0].q_md or "")):
                turns[0].q_md = turns[0].q_md[:m_md.start()].rstrip()
        elif asker is None and turns and (m := ASKER_TRAILING.search(turns[0].q)):
            asker = _name(ASKER_WHERE.sub("", m.group("name")))
            turns[0].q = turns[0].q[:m.start()].rstrip()
            if (m_md := ASKER_TRAILING.search(turns[0].q_md or "")):
                turns[0].q_md = turns[0].q_md[:m_md.start()].rstrip()
        elif asker is None and turns and turns[0].a and (m := META_ASKED.match(turns[0].a)):
            asker = _name(m.group("name"))                # `Score 14 · asked by mapnerd42 · gravelkit geotiff`: the
            turns[0].a = turns[0].a[m.end():].lstrip()    # digest's metadata line over the answer, and the
            turns[0].a_md = re.sub(r"^[^\n]*\n?", "", (turns[0].a_md or "").lstrip(), count=1).lstrip()
            if (label := ANSWER_BY.match(turns[0].a)):    # answer's label (`✅ Accepted answer by X (score 21):`)
                turns[0].a = turns[0].a[label.end():]
                turns[0].a_md = after_label(turns[0].a_md, bold=True)
        elif asker is None and turns and turns[0].a and (m := ASKED_BY_LEAD.match(turns[0].a)):
            asker = m.group("name")
            turns[0].a = turns[0].a[m.end():]
            turns[0].a_md = ASKED_BY_LEAD.sub("", turns[0].a_md or "", count=1)
            if CREDIT_AFTER_ASKER.match(turns[0].a):     # `Asked by *x* · Solution by *y*`, then the thread
                turns[0].a = CREDIT_AFTER_ASKER.sub("", turns[0].a, count=1)
                turns[0].a_md = CREDIT_AFTER_ASKER.sub("", turns[0].a_md, count=1)
                _account_before_label(turns[0])
        elif (asker is None and len(turns) == 1 and turns[0].a and (m := ASKED_BY_TAIL.search(turns[0].a))
              and (m_md := ASKED_BY_TAIL.search(turns[0].a_md or ""))):
            who = m.group("who").strip().rstrip(".")   # `… with libsqlite3. — asked by a reader on Mastodon`:
            asker = None if ANONYMOUS.search(who) else _name(who)      # the answer's last words say who asked
            turns[0].a, turns[0].a_md = turns[0].a[:m.start()].rstrip(), turns[0].a_md[:m_md.start()].rstrip()
        elif asker is None and turns and turns[0].a and (m := ASKER_FIRST_LINE.match(turns[0].a_md or "")):
            asker = _name(m.group("name"))                # `提问者：Wen Zhao` on the line under a listed question
            said = re.match(rf"\s*(?:提问者|提问人)\s*[:：]\s*@?{re.escape(m.group('name'))}\s*", turns[0].a)
            turns[0].a = turns[0].a[said.end():] if said else turns[0].a
            turns[0].a_md = turns[0].a_md[m.end():].lstrip()
        if it.listed and len(turns) == 1 and turns[0].a and (parted := _described_parts(turns[0])):
            turns, named = parted
            asker = asker or named
        pairs = it.links or (it.group.links if it.group else [])
        links = list(dict.fromkeys([u for u in it.urls if u] + [url for _, url in pairs]))
        projects = _projects(pairs, it, turns, registry, profile, topical)
        thread = Thread(id="", source=post.source, title=post.title, date=post.date, url=post.url,
                        asker=asker, turns=turns, projects=projects, links=links, position=pos,
                        community=post.community)
        thread.id = thread_id(post.source, asker, thread.question, taken)
        threads.append(thread)
    # Editors often put one link line after a run of questions about the same project: a thread without link
    # lines shares the one that closes its run, when it is about that project (or about none we could tell).
    for i, t in enumerate(threads):
        if t.links or items[i].listed:               # (a linked question's URL is not a project link line)
            continue
        closing = None
        for j in range(i + 1, len(threads)):
            if items[j].section != items[i].section or items[j].listed:
                break
            if threads[j].links:
                closing = threads[j]
                break
        if closing is not None and (not t.projects or set(t.projects) & set(closing.projects)):
            t.links = list(closing.links)
            t.projects = t.projects or list(closing.projects)
    for i, t in enumerate(threads):                  # still nothing: the project of a neighbour
        if not t.projects and not items[i].listed:   # (a list of linked questions: each stands alone)
            near = [n for n in threads[i + 1:i + 2] + threads[max(i - 1, 0):i] if n.projects]
            if near:
                t.projects = list(near[0].projects)
    return threads


def _join_md(mds: list[str]) -> str:
    return "\n\n".join(m.strip() for m in mds if m and m.strip())


# A link line's label that names a project the registry does not know: one to three words (`TideMQ Operator`, `Spring
# Cloud Alibaba`, `sofa-jraft`), not a sentence. Two or three words name a project only over a repository's own
# address: `Release notes: https://…/releases/tag/v2` or `Blog post: https://…` name none.
PROJECT_LABEL = re.compile(rf"[A-Za-z{CJK}][\w{CJK}.\-]+(?: [\w{CJK}.\-]+){{0,2}}")


def _projects(pairs, it: _Item, turns: list[Turn], registry: Registry, profile: Profile = DEFAULT,
              topical: bool = True) -> list[str]:
    """Tags from the link lines (label, else the repository the URL points into), then from the community's own
    tag references (`[taproot][topic taproot]`), else from mentions in the thread (and, when `topical`, from the
    registry's topic keywords)."""
    found: list[str] = []
    for label, url in pairs:
        p = registry.lookup(label) or registry.by_url(url)
        named = PROJECT_LABEL.fullmatch(label or "") and len(label) <= 31 and (" " not in label or REPO_URL.match(url))
        name = p.name if p else (label if named else None)
        if name and name not in found:
            found.append(name)
    for key in it.refs:
        for r in profile.extra("tag") + DEFAULT_TAG_REFS:
            m = r.match(key)
            if m:
                tag = (m.groupdict().get("tag") or m.group(0)).strip()
                p = registry.lookup(tag, fuzzy=False)
                name = p.name if p else tag
                if name and name not in found:
                    found.append(name)
                break
    if not found:
        # what the question is about decides; the answer may mention other projects in passing
        question = " ".join([it.group.topic if it.group else ""] + [t.q for t in turns])
        thread = question + " " + " ".join(t.a or "" for t in turns)
        topics = registry.topics if topical else (lambda text: [])
        found = registry.mentions(question) or list(dict.fromkeys(registry.mentions(thread) + topics(question))) \
            or topics(thread)
    return found
