"""Extraction of Q&A threads, one test per format the weekly posts use (fixtures written by us)."""
from __future__ import annotations

import pytest

from qa_archive.extract import extract
from qa_archive.models import Post


def threads_of(body: str, registry):
    post = Post(source="x/index.md", title="T", date="2024-01-01", body=body)
    threads, warnings = extract(post, registry)
    return threads, warnings


def test_plain_asker_items_with_link_lines(registry):
    threads, _ = threads_of("""
### 每周读者问答提炼

**@林一** 提问：

> SOFARegistry 的 session 挂了以后客户端怎么办？

A：客户端会自动重连到其他 session。

「SOFARegistry」：[https://github.com/sofastack/sofa-registry](https://github.com/sofastack/sofa-registry)

**@bob-dev** 提问：

> MOSN 支持 HTTP/3 吗？

A：暂时没有计划。

MOSN：[https://github.com/mosn/mosn](https://github.com/mosn/mosn)

### 本周推荐阅读

- [一篇文章](https://example.com/a)
""", registry)
    assert [t.asker for t in threads] == ["林一", "bob-dev"]
    assert threads[0].question == "SOFARegistry 的 session 挂了以后客户端怎么办？"
    assert threads[0].answer == "客户端会自动重连到其他 session。"
    assert threads[0].projects == ["SOFARegistry"]
    assert threads[0].links == ["https://github.com/sofastack/sofa-registry"]
    assert threads[1].projects == ["MOSN"] and threads[1].links == ["https://github.com/mosn/mosn"]


def test_numbered_items_br_lines_and_link_in_answer_paragraph(registry):
    threads, _ = threads_of("""
### 每周读者问答提炼

**1、@张三** 提问：

> SOFAJRaft 的快照多久打一次？<br />

A：默认一小时，可以调 snapshotIntervalSecs。<br />
A：也可以手动触发。<br />
SOFAJRaft：[https://github.com/sofastack/sofa-jraft](https://github.com/sofastack/sofa-jraft)<br />

2、@李四 提问：

> SOFARPC 可以同时暴露两个协议吗？

A：可以，配置两个 ServerConfig。
""", registry)
    assert [t.asker for t in threads] == ["张三", "李四"]
    assert threads[0].answer == "默认一小时，可以调 snapshotIntervalSecs。\n也可以手动触发。"
    assert threads[0].projects == ["SOFAJRaft"]
    assert threads[1].projects == ["SOFARPC"]          # no link line: named in the question


@pytest.mark.parametrize("marker, asker", [
    ("**1.王五** 提问：", "王五"), ("**2. lee-x** 提问：", "lee-x"), ("**1.@octo-cat** #123", "octo-cat"),
    ("**3、@赵六 **提问：", "赵六"), ("**4、@钱七**提问：", "钱七"), ("**2.Ann Lee & 孙八** 提问：", "Ann Lee & 孙八"),
])
def test_asker_line_variants(registry, marker, asker):
    threads, _ = threads_of(f"""
### 本周 QA

{marker}

> Seata 的 undo_log 表可以放在别的库吗？

A：不行，必须和业务表在同一个库。
""", registry)
    assert len(threads) == 1 and threads[0].asker == asker and threads[0].projects == ["Seata"]


def test_group_header_with_several_askers_shares_the_group_link(registry):
    threads, _ = threads_of("""
### 每周读者问答提炼

**1、@甲** 提问：

> Layotto 怎么接入 Redis？

A：配置 state 组件。

「Layotto」：[https://github.com/mosn/layotto](https://github.com/mosn/layotto)

**2、关于 SOFARegistry 的几个问题：**

**@乙** 提问：

> 数据节点怎么扩容？

A：直接加机器，meta 会重新分配。

**@丙** 提问：

> 推送失败会重试吗？

A：会，有退避。

SOFARegistry：[https://github.com/sofastack/sofa-registry](https://github.com/sofastack/sofa-registry)

**3、@丁** 提问：

> MOSN 的日志在哪？

A：默认在 /home/admin/logs。
""", registry)
    assert [t.asker for t in threads] == ["甲", "乙", "丙", "丁"]
    assert threads[1].projects == ["SOFARegistry"] and threads[2].projects == ["SOFARegistry"]
    assert threads[1].links == ["https://github.com/sofastack/sofa-registry"]
    assert threads[3].projects == ["MOSN"]


def test_follow_up_turns_in_order_and_an_unanswered_last_turn(registry):
    threads, _ = threads_of("""
### 每周读者问答提炼

**@周** 提问：

> 第一问：Seata TCC 的 Cancel 什么时候调用？

A：二阶段回滚时。

> 第二问：空回滚怎么处理？

A：记录事务控制表。

> 第三问：那悬挂呢？

「Seata」：[https://github.com/seata/seata](https://github.com/seata/seata)
""", registry)
    assert len(threads) == 1
    turns = threads[0].turns
    assert [t.q for t in turns] == ["第一问：Seata TCC 的 Cancel 什么时候调用？", "第二问：空回滚怎么处理？", "第三问：那悬挂呢？"]
    assert [t.a for t in turns] == ["二阶段回滚时。", "记录事务控制表。", None]


def test_item_without_asker(registry):
    threads, _ = threads_of("""
### 每周读者问答提炼

**3、提问：**

> SOFABoot 支持 JDK 17 吗？

A：4.x 版本支持。
""", registry)
    assert len(threads) == 1 and threads[0].asker is None and threads[0].projects == ["SOFABoot"]


def test_images_code_lists_and_multi_paragraph_answers(registry):
    threads, _ = threads_of("""
### 每周读者问答提炼

**@吴** 提问：

> 我的 SOFARPC Filter 不生效，截图如下：
>![](https://example.com/a.png)

A：需要两步：

- 实现 Filter 接口
- 加上 `@Extension` 注解

```java
@Extension("my")
public class MyFilter extends Filter {}
```

另外看下[文档](https://example.com/doc)。

「SOFARPC」：[https://github.com/sofastack/sofa-rpc](https://github.com/sofastack/sofa-rpc)
""", registry)
    t = threads[0]
    assert t.question == "我的 SOFARPC Filter 不生效，截图如下："          # the image is not text
    assert "![](https://example.com/a.png)" in t.turns[0].q_md            # but it is kept for display
    assert "实现 Filter 接口" in t.answer and "public class MyFilter" in t.answer and "另外看下文档。" in t.answer
    assert "```java" in t.turns[0].a_md


def test_answer_as_lazy_continuation_of_the_quote(registry):
    threads, _ = threads_of("""
**1.康** 提问：

>MOSN 需要应用配合传 traceId 吗?
A：需要，这是业务决定的。
""", registry)
    assert threads[0].question == "MOSN 需要应用配合传 traceId 吗?" and threads[0].answer == "需要，这是业务决定的。"


def test_split_link_line_and_misspelled_project_label(registry):
    threads, _ = threads_of("""
**@x** 提问：

> 注册中心的元数据存在哪？

A：存在 db 里。

「SOFARegistery」：

[https://github.com/sofastack/sofa-registry](https://github.com/sofastack/sofa-registry)
""", registry)
    assert threads[0].projects == ["SOFARegistry"]
    assert threads[0].links == ["https://github.com/sofastack/sofa-registry"]


def test_post_without_qa_yields_nothing_and_no_warning(registry):
    threads, warnings = threads_of("""
**筛选每周精华问答，同步开源进展，欢迎留言互动～**

**SOFAArk：**

**主题：**社区会议

「**会议回放**」：[https://example.com/v](https://example.com/v)
""", registry)
    assert threads == [] and warnings == []


def test_qa_heading_with_unknown_format_warns(registry):
    threads, warnings = threads_of("""
### 每周读者问答提炼

Q1 有人问 SOFARPC 的事，我们答了。
""", registry)
    assert threads == [] and any("unknown format" in w for w in warnings)


def test_ids_are_stable_and_depend_on_the_post_and_question(registry):
    body = "**@a** 提问：\n\n> 问题一？\n\nA：答一。\n\n**@b** 提问：\n\n> 问题二？\n\nA：答二。\n"
    first, _ = threads_of(body, registry)
    again, _ = threads_of(body.replace("答一", "答一（补充）"), registry)
    assert [t.id for t in first] == [t.id for t in again]
    assert len({t.id for t in first}) == 2


def test_sample_posts_cover_every_variant(sample_archive):
    """Our sample data: 27 threads; each variant is represented."""
    by_asker = {}
    docs = sample_archive.current().docs
    for d in docs.values():
        by_asker.setdefault(d["asker"], []).append(d)
    assert len(docs) == 27
    assert None in by_asker                                       # the item without an asker
    assert any(len(d["turns"]) == 3 for d in docs.values())
    assert {p for d in docs.values() for p in d["projects"]} >= {"SOFARegistry", "SOFAJRaft", "MOSN",
                                                                          "Seata", "Layotto", "Nydus"}
    assert not any(d["source"].startswith("sofa-weekly-20230915") for d in docs.values())  # no-Q&A post


def test_a_closing_link_line_is_shared_by_the_run_of_items_about_its_project(registry):
    threads, _ = threads_of("""
### 每周读者问答提炼

**1、@甲** 提问：

> SOFAArk 的 biz 能共享 bean 吗？

A：可以通过插件导出。

**2、@乙** 提问：

> 全局事务回滚是同步的吗？

A：二阶段回滚是异步的。

**3、@丙** 提问：

> Seata 的 TC 可以集群部署吗？

A：可以，用 db 或 redis 存储。

Seata：[https://github.com/seata/seata](https://github.com/seata/seata)

### 本周推荐阅读
""", registry)
    ark, rollback, tc = threads
    assert rollback.projects == ["Seata"] and rollback.links == ["https://github.com/seata/seata"]
    assert ark.projects == ["SOFAArk"] and ark.links == []                 # another project: not shared


def test_link_line_forms_without_colon_in_a_list_or_swallowed_by_a_quote(registry):
    threads, _ = threads_of("""
**@a** 提问：

> MOSN 怎么配置 transcoder？

A：看文档。

「MOSN」[https://github.com/mosn/mosn](https://github.com/mosn/mosn)

**@b** 提问：

> SOFABoot 和 SOFAArk 怎么一起用？

A：需要的。

- SOFABoot：[https://github.com/sofastack/sofa-boot](https://github.com/sofastack/sofa-boot)
- SOFAArk：[https://github.com/sofastack/sofa-ark](https://github.com/sofastack/sofa-ark)

**@c** 提问：

> 用 Service Mesh 就没有这个问题了吧？
MOSN：[https://github.com/mosn/mosn](https://github.com/mosn/mosn)
""", registry)
    assert threads[0].links == ["https://github.com/mosn/mosn"] and threads[0].answer == "看文档。"
    assert threads[1].answer == "需要的。" and threads[1].projects == ["SOFABoot", "SOFAArk"]
    assert len(threads[1].links) == 2
    assert threads[2].question == "用 Service Mesh 就没有这个问题了吧？" and threads[2].links == ["https://github.com/mosn/mosn"]


def test_names_with_spaces_editor_pointers_list_numbers_and_stray_emphasis(registry):
    threads, _ = threads_of("""
**1、@John Deng** 提问：

> MOSN 对 Dubbo 协议支持怎样？

A：支持，步骤如下：

1. 配置 listener
2. 配置 router

通常为 1*（对于 BoltV1）*和 2。

相关阅读：某篇文章的标题
""", registry)
    t = threads[0]
    assert t.asker == "John Deng" and t.question == "MOSN 对 Dubbo 协议支持怎样？"
    assert "1. 配置 listener" in t.answer and "2. 配置 router" in t.answer
    assert "1（对于 BoltV1）和 2。" in t.answer and "*" not in t.answer and "相关阅读" not in t.answer
