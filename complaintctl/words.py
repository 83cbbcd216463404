"""The one word table: every enumerated value of the procedure with its code (what
the ledger stores and JSON shows), its English and Chinese display labels, and the
synonyms a clerk types. Input (options, prompts, the import's register values)
reads words through `resolve`; output shows them through `label`. Pure data and
pure functions: no database, no clock, no terminal.

Codes never change (scripts and stored rows rely on them); labels and synonyms may
grow. A field's codes are in the order choices are offered.
"""

from __future__ import annotations

from typing import NamedTuple


class Word(NamedTuple):
    code: str
    en: str
    zh: str
    synonyms: tuple[str, ...] = ()


def _w(code: str, en: str | None, zh: str, *synonyms: str) -> Word:
    return Word(code, en if en is not None else code.replace("-", " ").replace("_", " "),
                zh, synonyms)


# field -> its words, in the order they are offered.
TABLE: dict[str, tuple[Word, ...]] = {
    "channel": (
        _w("phone", None, "电话", "call", "telephone", "来电", "电话投诉"),
        _w("email", None, "邮件", "e-mail", "mail", "电子邮件", "邮箱"),
        _w("letter", None, "信函", "post", "书面", "来函", "信件"),
        _w("fax", None, "传真"),
        _w("visit", None, "来访", "上门", "拜访", "走访", "现场"),
        _w("web", None, "网站", "website", "online", "网上", "在线"),
        _w("social", "social media", "社交媒体", "wechat", "微信", "微博"),
        _w("hotline", None, "热线", "400", "客服热线"),
        _w("regulator", None, "监管部门", "市场监管", "12315"),
        _w("other", None, "其他", "其它"),
    ),
    "category": (
        _w("quality", None, "质量", "质量问题", "产品质量"),
        _w("delivery", None, "交付", "交货", "交期", "发货"),
        _w("service", None, "服务", "服务态度", "服务问题"),
        _w("logistics", None, "物流", "运输"),
        _w("technical", None, "技术", "技术问题"),
        _w("billing", None, "账务", "开票", "发票", "结算"),
        _w("other", None, "其他", "其它"),
    ),
    "severity": (
        _w("critical", None, "紧急", "特急", "严重", "致命"),
        _w("high", None, "高", "高级", "重要", "重大"),
        _w("medium", None, "中", "中级", "一般", "普通"),
        _w("low", None, "低", "低级", "轻微"),
    ),
    "demand": (
        _w("return", None, "退货", "退回"),
        _w("exchange", None, "换货", "更换"),
        _w("repair", None, "维修", "返修", "修理"),
        _w("refund", None, "退款"),
        _w("discount", None, "折让", "降价", "折扣"),
        _w("compensation", None, "赔偿", "索赔"),
        _w("explanation", None, "解释说明", "解释", "说明", "道歉"),
        _w("other", None, "其他", "其它"),
    ),
    "cause_category": (
        _w("manufacturing", None, "生产制造", "生产", "制造"),
        _w("inspection", None, "检验", "漏检"),
        _w("design", None, "设计"),
        _w("supplier", None, "供应商", "外购", "来料"),
        _w("logistics", None, "物流", "运输"),
        _w("sales", None, "销售"),
        _w("customer-misuse", None, "客户使用不当", "使用不当", "误用", "misuse"),
        _w("other", None, "其他", "其它"),
    ),
    "responsibility": (
        _w("company", None, "本公司", "公司", "我方", "公司责任"),
        _w("customer", None, "客户", "客户责任"),
        _w("supplier", None, "供应商", "供应商责任"),
    ),
    "disposition": (
        _w("return", None, "退货", "退回"),
        _w("exchange", None, "换货", "更换"),
        _w("repair", None, "维修", "返修", "修理"),
        _w("rework", None, "返工"),
        _w("refund", None, "退款"),
        _w("discount", None, "折让", "降价", "折扣"),
        _w("compensation", None, "赔偿", "索赔"),
        _w("explanation", None, "解释说明", "解释", "说明"),
        _w("no-action", None, "不处理", "无需处理", "无", "none"),
    ),
    "satisfaction": (
        _w("satisfied", None, "满意", "非常满意"),
        _w("basically-satisfied", None, "基本满意", "比较满意", "一般"),
        _w("unsatisfied", None, "不满意", "dissatisfied", "not satisfied"),
    ),
    # A revisit's method and a note's kind are one word list: a note may also be
    # "internal" (not a contact with the customer), which a revisit may not.
    "method": (
        _w("phone", None, "电话", "call", "telephone", "来电", "电话回访"),
        _w("visit", None, "上门", "来访", "拜访", "走访", "现场"),
        _w("email", None, "邮件", "e-mail", "mail", "电子邮件"),
        _w("letter", None, "信函", "post", "书面", "信件"),
        _w("internal", None, "内部", "内部备注", "备注"),
    ),
    "inspection": (
        _w("defect-confirmed", None, "确认缺陷", "确认不良", "不合格"),
        _w("no-defect-found", None, "未发现缺陷", "合格", "无缺陷"),
        _w("customer-damage", None, "客户损坏", "人为损坏"),
    ),
    "return_action": (
        _w("rework", None, "返工"),
        _w("repair", None, "维修", "返修"),
        _w("scrap", None, "报废"),
        _w("restock", None, "入库", "重新入库", "回库"),
        _w("discount-sale", None, "降价销售", "折价销售"),
        _w("return-to-customer", None, "退回客户", "返还客户"),
        _w("return-to-supplier", None, "退回供应商", "退供应商"),
    ),
    "status": (
        _w("logged", None, "已登记", "登记"),
        _w("assigned", None, "已分派", "分派"),
        _w("investigating", None, "调查中", "调查"),
        _w("resolved", None, "已处理", "处理完毕"),
        _w("closed", None, "已关闭", "关闭", "结案"),
        _w("void", None, "已作废", "作废"),
    ),
    "return_stage": (
        _w("authorised", None, "已授权", "授权"),
        _w("received", None, "已收货", "收货"),
        _w("inspected", None, "已检验", "检验"),
        _w("dispositioned", None, "已处置", "处置"),
        _w("closed", None, "已关闭", "关闭"),
    ),
    "stage": (
        _w("assign", None, "分派"),
        _w("investigate", None, "调查"),
        _w("resolve", None, "处理"),
        _w("revisit", None, "回访"),
        _w("reopen", None, "重新处理"),
        _w("second-revisit", None, "二次回访"),
        _w("inspect", None, "检验"),
        _w("dispose", None, "处置"),
    ),
    # The default escalation roles, stored as codes; a role the user typed is shown
    # as typed.
    "role": (
        _w("department_manager", "department manager", "部门经理"),
        _w("branch_head", "branch head", "分总"),
        _w("general_manager", "general manager", "总经理"),
    ),
}

LANGUAGES = ("en", "zh")


def codes(field: str) -> tuple[str, ...]:
    """A field's codes, in the order they are offered."""
    return tuple(w.code for w in TABLE[field])


def word(field: str, code: str) -> Word | None:
    for w in TABLE[field]:
        if w.code == code:
            return w
    return None


def label(field: str, code: str | None, lang: str) -> str:
    """What a person reads for a stored code: its label in `lang`, or the code
    itself when the table does not know it (a category or role the user typed)."""
    if code is None:
        return ""
    w = word(field, code)
    if w is None:
        return code
    return w.zh if lang == "zh" else w.en
