"""The one word table: every enumerated value of the procedure with its code (what
the ledger stores and JSON shows), its English and Chinese display labels, and the
synonyms a clerk types. Input (options, prompts, the import's register values)
reads words through `resolve`; output shows them through `label`. Pure data and
pure functions: no database, no clock, no terminal.

Codes never change (scripts and stored rows rely on them); labels and synonyms may
grow. A field's codes are in the order choices are offered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from complaintctl.errors import BadInput


class Word(NamedTuple):
    code: str
    en: str
    zh: str
    synonyms: tuple[str, ...] = ()


def _w(code: str, en: str | None, zh: str, *synonyms: str) -> Word:
    return Word(code, en if en is not None else code.replace("-", " ").replace("_", " "),
                zh, synonyms)


# field -> its words, in the order they are offered. Synonyms are the words the
# seeds' forms and procedures use (客户投诉登记表/处理单, 客退品处理流程, 回访记录表);
# within a field every code, label and synonym names one code only (tests hold it).
TABLE: dict[str, tuple[Word, ...]] = {
    "channel": (
        _w("phone", None, "电话", "call", "telephone", "tel", "来电", "电话投诉", "短信", "sms",
           "text message", "手机短信", "彩信", "打电话", "致电", "手机", "座机",
           "简讯"),
        _w("email", None, "邮件", "e-mail", "mail", "电子邮件", "邮箱", "邮件投诉", "电邮"),
        _w("letter", None, "信函", "post", "书面", "来函", "信件", "来信", "邮寄"),
        _w("fax", None, "传真"),
        _w("visit", None, "来访", "in person", "上门", "拜访", "走访", "现场", "面谈",
           "店内", "门市", "门店", "到店", "亲临", "到访", "客户来访", "当面", "现场投诉",
           "面访", "面对面"),
        _w("web", None, "网站", "website", "online", "网上", "在线", "官网", "在线客服",
           "在线聊天", "网路", "网络", "线上", "线上客服"),
        _w("social", "social media", "社交媒体", "wechat", "微信", "微信公众号", "公众号",
           "微博", "社群媒体", "社群", "脸书", "facebook", "fb", "line", "whatsapp",
           "telegram", "instagram", "抖音", "douyin", "tiktok", "快手", "小红书", "视频号",
           "企业微信", "微信群", "qq", "钉钉", "dingtalk"),
        _w("hotline", None, "热线", "400", "400电话", "400热线", "客服热线", "客服电话",
           "客服专线", "专线", "0800", "免付费电话"),
        _w("regulator", None, "监管部门", "市场监管", "12315", "消协", "消费者协会", "工商",
           "消委会", "消基会", "消保官", "主管机关", "市场监管局", "市场监督管理局", "工商局",
           "质监局", "12345"),
        _w("other", None, "其他", "其它"),
    ),
    "category": (
        _w("quality", None, "质量", "质量问题", "产品质量", "品质", "品质问题", "质素",
           "品质不良", "不良品", "质量不良", "质量投诉", "品质投诉"),
        _w("delivery", None, "交付", "交货", "交期", "发货", "延期交货", "送货", "交货延迟",
           "延迟交货", "交期延误", "交货问题", "交付问题", "发货问题", "交期问题", "交期服务"),
        _w("service", None, "服务", "服务态度", "服务问题", "售后", "售后服务", "服务投诉"),
        _w("logistics", None, "物流", "运输", "运输损坏", "物流问题", "运输问题"),
        _w("technical", None, "技术", "技术问题", "技术支持", "技术投诉", "技术支援",
           "技术咨询"),
        _w("billing", None, "账务", "开票", "发票", "结算", "对账", "账单", "账目", "发票问题",
           "开票问题", "账务问题", "财务问题"),
        _w("other", None, "其他", "其它"),
    ),
    # 低级/中级/高级/特殊投诉 (the escalation procedure), the defect grades
    # 致命/严重/一般/轻微 (critical, major, minor, trivial) clerks also use, and the
    # report form's 处置紧急度 很急/急/普通 (and the 处理单's 急件/普通件).
    "severity": (
        _w("critical", None, "紧急", "特殊", "特殊投诉", "特急", "致命", "重大投诉", "很急",
           "urgent", "非常严重", "特别严重", "极其严重", "非常紧急", "特别紧急", "很严重",
           "十分严重", "最严重", "最高", "最高级", "最紧急"),
        _w("high", None, "高", "高级", "高级投诉", "重要", "重大", "严重", "major",
           "急件", "重要投诉", "严重投诉", "急", "加急", "较严重", "比较严重", "较急"),
        _w("medium", None, "中", "中级", "中级投诉", "一般", "普通", "普通件", "normal",
           "一般投诉", "中等"),
        _w("low", None, "低", "低级", "低级投诉", "轻微", "minor", "轻微投诉", "不严重", "不急",
           "不紧急", "非紧急", "次要", "较轻", "较轻微", "轻度"),
    ),
    "demand": (  # (the words a customer's demand is said in: 要求换货, 退钱)
        _w("return", None, "退货", "退回", "要求退货"),
        _w("exchange", None, "换货", "更换", "良品交换", "以良品交换", "要求换货", "调换",
           "换新", "补发", "要求补发", "产品更换"),
        _w("repair", None, "维修", "返修", "修理", "检修", "要求维修", "上门维修"),
        _w("refund", None, "退款", "退钱", "要求退款"),
        _w("discount", None, "折让", "折价", "降价", "折扣", "打折"),
        _w("compensation", None, "赔偿", "索赔", "赔款", "要求赔偿", "补偿", "要求补偿",
           "经济补偿"),
        _w("explanation", None, "解释说明", "解释", "说明", "道歉", "explain", "说明原因",
           "要求解释", "要求道歉", "技术咨询"),
        _w("other", None, "其他", "其它"),
    ),
    "cause_category": (
        # (the seed procedure's 责任原因区分: 制作原因, 品质原因 (the inspector's miss), 技术原因
        # (the drawings), 采购原因 (the materials), 销售原因)
        _w("manufacturing", None, "生产制造", "生产", "制造", "制程", "工艺", "设备",
           "设备故障", "制作原因", "制作", "作业不良", "生产原因", "制造原因", "工艺原因",
           "制程不良", "生产不良"),
        _w("inspection", None, "检验", "漏检", "品质原因", "检验原因", "错检"),
        _w("design", None, "设计", "技术原因", "设计不良", "设计原因", "设计缺陷"),
        _w("supplier", None, "供应商", "外购", "来料", "采购原因", "采购", "来料不良",
           "原材料", "供应商原因", "供方", "供方原因", "外协", "外协原因"),  # (供方 and 外协,
        # the supplier as --responsibility takes it: refused here, offered manufacturing)
        _w("logistics", None, "物流", "运输", "物流原因", "运输原因"),
        _w("sales", None, "销售", "销售原因"),
        # (not 人为 alone, human factor: as often our own operator's error as the
        # customer's; read as misuse, it put the blame on the customer without a word)
        _w("customer-misuse", None, "客户使用不当", "使用不当", "误用", "客户误用", "操作不当",
           "客户操作不当", "人为损坏", "misuse"),
        _w("other", None, "其他", "其它"),
    ),
    "responsibility": (
        _w("company", None, "本公司", "公司", "我方", "我司", "公司责任", "本公司责任"),
        # (供方 and 需方, the contract's parties: the supplier and the buyer; 供方 was
        # offered 我方, the other party)
        _w("customer", None, "客户", "客户责任", "需方", "需方责任", "客方", "顾客", "顾客责任"),
        _w("supplier", None, "供应商", "供应商责任", "供方", "供方责任", "外协", "外协方"),
    ),
    "disposition": (  # (the demand's words too: 调换, 退钱)
        _w("return", None, "退货", "退回"),
        _w("exchange", None, "换货", "更换", "良品交换", "以良品交换", "调换", "换新", "补发",
           "产品更换"),
        _w("repair", None, "维修", "返修", "修理", "检修", "上门维修"),
        _w("rework", None, "返工", "重工"),
        _w("refund", None, "退款", "退钱"),
        _w("discount", None, "折让", "折价", "降价", "折扣", "打折"),
        _w("compensation", None, "赔偿", "索赔", "赔款", "补偿", "要求补偿", "经济补偿"),
        _w("explanation", None, "解释说明", "解释", "说明", "道歉", "explain", "说明原因"),
        _w("no-action", None, "不处理", "无需处理", "无", "none"),
    ),
    "satisfaction": (
        _w("satisfied", None, "满意", "非常满意", "很满意"),
        _w("basically-satisfied", None, "基本满意", "比较满意", "较满意", "部分满意", "一般",
           "还行", "还可以"),
        _w("unsatisfied", None, "不满意", "dissatisfied", "not satisfied", "非常不满意",
           "很不满意", "不太满意", "不满"),
    ),
    # A revisit's method and a note's kind are one word list: a note may also be
    # "internal" (not a contact with the customer), which a revisit may not.
    "method": (
        _w("phone", None, "电话", "call", "telephone", "tel", "来电", "电话回访", "打电话",
           "致电", "手机", "短信", "sms", "text message", "手机短信", "短信回访"),
        _w("visit", None, "上门", "来访", "拜访", "走访", "现场", "上门回访", "in person", "当面",
           "面谈", "面访"),
        _w("email", None, "邮件", "e-mail", "mail", "电子邮件", "电邮"),
        _w("letter", None, "信函", "post", "书面", "信件"),
        _w("internal", None, "内部", "内部备注", "备注"),
    ),
    "inspection": (
        _w("defect-confirmed", None, "确认缺陷", "确认不良", "不良", "不合格", "ng", "不良品"),
        _w("no-defect-found", None, "未发现缺陷", "无缺陷", "合格", "良品", "无不良",
           "未发现不良", "ok"),
        _w("customer-damage", None, "客户损坏", "人为损坏", "人为"),
    ),
    "return_action": (
        _w("rework", None, "返工", "重工", "返工处理"),
        _w("repair", None, "维修", "返修", "翻修", "修理", "维修处理"),
        _w("scrap", None, "报废", "报废处理", "销毁", "scrapped"),
        _w("restock", None, "入库", "重新入库", "回库", "退库", "re-stock", "return to stock"),
        _w("discount-sale", None, "降价销售", "折价销售", "打折销售", "打折处理", "折价处理"),
        _w("return-to-customer", None, "退回客户", "返还客户", "发还客户", "退客户", "退还客户"),
        _w("return-to-supplier", None, "退回供应商", "退供应商", "退厂商", "退回厂商", "退供方",
           "退货给供应商", "rtv", "return to vendor", "return-to-vendor"),
    ),
    "status": (
        _w("logged", None, "已登记", "登记", "已受理", "受理", "待处理", "未处理"),
        _w("assigned", None, "已分派", "分派", "已分配"),
        _w("investigating", None, "调查中", "调查", "处理中"),
        _w("resolved", None, "已处理", "处理完毕", "已解决", "已完成", "待回访"),
        _w("closed", None, "已结案", "结案", "已关闭", "关闭", "已回访", "完结", "已完结"),
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
        # (and the stage named by its noun: `policy set resolution` was offered escalation)
        _w("assign", None, "分派", "assignment"),
        _w("investigate", None, "调查", "investigation"),
        _w("resolve", None, "处理", "resolution"),
        _w("revisit", None, "回访"),
        _w("reopen", None, "重新处理", "二次处理"),
        _w("second-revisit", None, "二次回访"),
        _w("inspect", None, "检验", "inspection"),
        _w("dispose", None, "处置", "disposition", "disposal"),
    ),
    # The default escalation roles, stored as codes; a role the user typed is kept
    # and shown as typed (no synonyms: only the codes themselves are roles of the table).
    "role": (
        _w("department_manager", "department manager", "部门经理"),
        _w("branch_head", "branch head", "分总"),
        _w("general_manager", "general manager", "总经理"),
    ),
    # The display language a ledger may be set to (init --lang, policy language).
    "language": (
        _w("zh", "Chinese", "中文", "chinese", "简体中文", "汉语", "zh-cn", "zh-hans"),
        _w("en", "English", "英文", "english", "英语", "en-us", "en-gb"),
    ),
    # Output formats (--format): typed as codes; 表格 is what the Chinese help calls a
    # table, and a word a clerk may well type.
    "format": (
        _w("table", "table", "表格", "表"),
        _w("json", "JSON", "JSON"),
        _w("csv", "CSV", "CSV"),
        _w("markdown", "Markdown", "Markdown", "md"),
        _w("xlsx", "Excel workbook", "Excel 工作簿", "excel", "工作簿"),
        _w("jsonl", "JSON lines", "JSON 行", "ndjson"),
    ),
    # What `amend --clear` empties, `export` writes and `report --section` prints: typed
    # as the codes the help names, or as the Chinese the screens show them by.
    "clear_field": (
        _w("region", "region", "区域", "地区", "区域/地区"),
        _w("order", "order", "订单号", "订单", "order_no", "订单编号"),
        _w("lot", "lot", "批号", "批次", "批次号"),
        _w("quantity", "quantity", "数量", "不良数量"),
        _w("shipped", "shipped", "发货日期", "shipped_on", "交运日期", "发货日"),
        _w("demand", "demand", "客户要求", "要求"),
    ),
    "export_what": (
        _w("complaints", "complaints", "投诉", "投诉记录", "投诉单"),
        _w("events", "events", "事件", "处理记录", "历史"),
        _w("returns", "returns", "客退品", "退货"),
        _w("actions", "actions", "纠正预防措施", "措施", "纠正措施", "capa"),
    ),
    "report_section": (  # (and the English titles the report prints)
        _w("summary", "summary", "概要", "汇总"),
        _w("by_category", "by_category", "按类别"),
        _w("by_channel", "by_channel", "按渠道"),
        _w("by_severity", "by_severity", "按严重程度"),
        _w("by_product", "by_product", "按产品"),
        _w("by_customer", "by_customer", "按客户"),
        _w("by_department", "by_department", "按部门"),
        _w("pareto_category", "pareto_category", "类别帕累托", "Pareto of categories"),
        _w("pareto_cause", "pareto_cause", "原因类别帕累托", "Pareto of cause categories"),
        _w("handling", "handling", "各类别处理天数", "处理天数", "Handling days by category",
           "handling days"),
        _w("on_time", "on_time", "各阶段及时率", "及时率", "On-time rate by stage",
           "on-time rate"),
        _w("returns", "returns", "客退品", "退货", "Returns (客退品)", "Returns (退货)"),
        _w("paid", "paid", "赔付金额", "赔付金额（按处理方式）", "退款、折让与赔偿", "退款",
           "赔偿", "折让", "赔偿金额", "退赔",
           "refunds", "compensation", "Refunds, discounts and compensation (退款、折让与赔偿)"),
        _w("register", "register", "客户投诉处理登记表", "登记表", "客户投诉处理月报表", "月报表",
           "Register (客户投诉处理登记表)", "Register (客户投诉处理月报表)"),
        _w("trend", "trend", "趋势"),
    ),
}

# `list --status open`: every status but closed and void (a filter, not a status).
STATUS_OPEN = Word("open", "open", "未结案", ("未结", "未关闭", "进行中"))

LANGUAGES = ("en", "zh")


def codes(field: str) -> tuple[str, ...]:
    """A field's codes, in the order they are offered."""
    return tuple(w.code for w in TABLE[field])


def word(field: str, code: str, extra: Iterable[Word] = ()) -> Word | None:
    """The word of a code: from the table, else from `extra` (a ledger's own words,
    such as the categories the user added with their labels)."""
    for w in TABLE.get(field, ()):
        if w.code == code:
            return w
    for w in extra:
        if w.code == code:
            return w
    return None


def label(field: str, code: str | None, lang: str, extra: Iterable[Word] = ()) -> str:
    """What a person reads for a stored code: its label in `lang`, or the code
    itself when neither the table nor `extra` knows it (a role the user typed)."""
    if code is None:
        return ""
    w = word(field, code, extra)
    if w is None:
        return code
    return w.zh if lang == "zh" else w.en


# --- input: one path for every enumerated value ------------------------------------

_SEPARATORS = r"[\s_\-]+"  # re caches it compiled, on first use


# Traditional characters (Hong Kong, Taiwan: 緊急, 電話, 退貨, 點, 萬) and the simplified
# ones the words here are written in, pair by pair: zhconv 1.4.3's zh2Hans table of single
# characters, kept to the simplified characters this program's Chinese words use (the
# word table, the header guesses, the date, money and count words of parse). A word is
# compared with its traditional characters read as these (hans): 緊急 is 紧急, critical,
# where "did you mean 急?" offered high.
_HANT_PAIRS = (
    "亱夜來来係系俻备個个備备傚效傳传傷伤價价償偿優优內内凴凭別别劃划効效務务勢势匯汇區区協协厤历厰厂問问單单噹当嚴严囙因圅函圍围報报場场塲场壞坏實实審审對对"
    "屬属幣币庫库廠厂廢废廻回張张彆别彔录彙汇後后復复愽博態态憑凭應应戶户換换損损摺折擄掳數数旹时昇升時时曆历書书會会朞期朮术東东枱台査查機机檔档檢检檯台欄栏"
    "權权欵款歐欧歴历歷历歸归毀毁決决沒没況况淩凌準准溝沟滙汇滿满漢汉為为無无熱热燬毁爲为牠它狀状現现產产産产畢毕當当癈废發发監监眞真眾众確确祘算禮礼秊年秖只"
    "稱称筞策箇个簡简糾纠級级結结給给經经綫线維维網网緊紧線线編编緻致總总繙翻繫系纍累缐线聯联脩修臨临臺台與与興兴華华萬万藝艺處处號号衆众術术衕同裏里裝装裡里"
    "製制複复覈核見见觀观訂订計计託托記记訪访設设訴诉註注証证話话認认語语誤误說说説说調调談谈證证譭毁讓让讬托負负貨货責责費费賠赔質质賬账購购趨趋較较輕轻輸输"
    "轉转迴回逥回週周進进運运還还郵邮釋释釦扣鈡钟銷销錄录録录錶表鍾钟鎊镑鐘钟锺钟門门閉闭開开間间閤合關关陞升階阶隻只電电預预頟额頭头題题額额類类颱台飜翻騐验"
    "驗验體体髮发麪面麫面麵面麺面點点齣出億亿"
    # (by hand: 帳, Taiwan's and Hong Kong's 账 of 帳務 and 帳單, which zhconv reads as 帐,
    # and 帐 itself, the mainland's other way of writing 账 (帐务, 对帐);
    # Cantonese 唔, not: 唔滿意 is 不满意, unsatisfied — it was offered 满意; 國 of 民國;
    # the units of a count: 5組, 5顆, 5條; 這 of 這週一, this week's Monday; 臉 of 臉書
    # and 專 of 客服專線, Taiwan's channels; 兩 of 下午兩點, two o'clock; 親 of 親臨; 錢 of
    # 三百塊錢)
    "帳账帐账唔不國国組组顆颗條条塊块雙双捲卷這这臉脸專专兩两親亲錢钱"
    # (and the Traditional forms of words Hong Kong and Taiwan type that were refused:
    # 極其嚴重, 網絡, 企業微信, 小紅書, 釘釘, 視頻號, 簡訊; 日圓 and 港紙, currencies;
    # the header 幣種)
    "極极絡络業业紅红釘钉視视頻频圓圆紙纸訊讯種种"
    # 補償, 補發 (a compensation, a re-shipment)
    "補补")
_HANS: dict[int, str] = {}


def hans(text: str) -> str:
    """`text` with the traditional characters of _HANT_PAIRS read as simplified."""
    if not _HANS:
        _HANS.update({ord(t): s for t, s in zip(_HANT_PAIRS[::2], _HANT_PAIRS[1::2],
                                                strict=True)})
    return text.translate(_HANS)


# Characters that show nothing, dropped from typed text: a zero-width space or a BOM
# pasted from a web page or a chat made 华东\u200b电器 another customer than 华东电器 (the
# repeat check compares the text); so did a soft hyphen, a left-to-right or right-to-left
# mark, an invisible operator or separator, and the Hangul fillers (a name of U+3164
# alone looked blank); and the other characters Unicode says show nothing (default
# ignorable) that no script needs: the Arabic letter mark (a direction mark as U+200E
# is), the combining grapheme joiner, the deprecated format characters, the Khmer
# inherent vowels, the interlinear annotation marks, the musical symbols' format
# characters (U+1D173 to U+1D17A). Joiners (U+200C, U+200D) and variation selectors stay:
# emoji and scripts need them (but not beside a Chinese character: parse.JOINERS).
INVISIBLE = ("\u200b\u2060\ufeff\u00ad\u200e\u200f\u2061\u2062\u2063\u2064\u3164\uffa0"
             "\u061c\u034f\u206a\u206b\u206c\u206d\u206e\u206f\u17b4\u17b5\ufff9\ufffa"
             "\ufffb\U0001d173\U0001d174\U0001d175\U0001d176\U0001d177\U0001d178\U0001d179"
             "\U0001d17a")
INVISIBLE_DROPPED = dict.fromkeys(map(ord, INVISIBLE))  # (a str.translate table)


def key(text: str) -> str:
    """The form two words are compared in: NFKC (full-width letters and digits, the
    ideographic space), case-folded, stripped, traditional characters read as simplified
    (hans), and any run of spaces, hyphens and underscores read as one space
    (basically-satisfied, "basically satisfied", BASICALLY_SATISFIED are one word), the
    characters that show nothing dropped (电话 pasted from a chat with a zero-width space
    was offered 电话)."""
    import unicodedata  # here, not at the top: read-only commands skip it

    folded = hans(unicodedata.normalize("NFKC", text.translate(INVISIBLE_DROPPED)).casefold())
    return re.sub(_SEPARATORS, " ", folded).strip()


def spellings(w: Word) -> tuple[str, ...]:
    """Every way of typing a word: its code, labels and synonyms, in that order."""
    return (w.code, w.en, w.zh, *w.synonyms)


def candidates(field: str, allowed: Iterable[str] | None = None,
               extra: Iterable[Word] = ()) -> tuple[Word, ...]:
    """The words a value of `field` may be: the table's and then `extra`'s, only
    those whose code is `allowed` (when given), plus each allowed code neither
    knows, as a word of its own (a user's category without labels, a format)."""
    allow = None if allowed is None else tuple(allowed)
    found: dict[str, Word] = {}
    for w in (*TABLE.get(field, ()), *extra):
        if w.code not in found and (allow is None or w.code in allow):
            found[w.code] = w
    for code in allow or ():
        if code not in found:
            found[code] = Word(code, code, code)
    if allow is not None:  # offered in the order the caller allows them
        return tuple(found[c] for c in allow)
    return tuple(found.values())


def index(words: Iterable[Word]) -> dict[str, tuple[str, str]]:
    """key -> (code, the spelling it came from); the first word to claim a key keeps
    it (within the table no key has two codes: tests hold it)."""
    out: dict[str, tuple[str, str]] = {}
    for w in words:
        for spelling in spellings(w):
            out.setdefault(key(spelling), (w.code, spelling))
    return out


class UnknownWord(ValueError):
    """A value that is none of a field's words: the nearest spelling, if any is
    close, and the words it may be."""

    def __init__(self, value: str, suggestion: str | None, choices: tuple[Word, ...]):
        super().__init__(value)
        self.value, self.suggestion, self.choices = value, suggestion, choices


def lookup(field: str, text: str, allowed: Iterable[str] | None = None,
           extra: Iterable[Word] = ()) -> str:
    """The code `text` names among a field's words (see `resolve`); raises
    UnknownWord, which carries no message, for callers that ask again (a prompt)."""
    words = candidates(field, allowed, extra)
    keys = _cached_index(field, words)
    typed = key(text)
    hit = keys.get(typed)
    if hit is not None:
        return hit[0]
    near = nearest(typed, keys)
    if near is not None and _elsewhere(field, typed, keys[key(near)][0]):
        near = None
    if near is not None:  # the word as the list beside it names it where it is as near
        # as the synonym found (交附 was offered 交货, a word of 交付's that the list did
        # not show), with the same negations (not 已登记 for 待受理)
        code = keys[key(near)][0]
        word = next((w for w in words if w.code == code), None)
        shown = None if word is None else code if field in _CODES_SHOWN else word.zh if \
            _cjk(typed) else word.en if " " not in word.en else code
        if shown is not None and shown != near and _marks(shown) == _marks(typed):
            import difflib

            def ratio(spelling: str) -> float:
                return difflib.SequenceMatcher(None, typed, key(spelling)).ratio()

            if ratio(shown) >= ratio(near):
                near = shown
    raise UnknownWord(text, near, words)


# The fields a clerk answers with a word, whose words one may type at another's prompt.
_ANSWERS = ("channel", "category", "severity", "demand", "cause_category", "disposition",
            "satisfaction", "method", "inspection", "return_action")


def _elsewhere(field: str, typed: str, code: str) -> bool:
    """Whether `typed` (a key) is another answer's word with another meaning than the
    suggestion's `code`: 退货 at the category prompt is the customer's demand, and 送货
    offered for it (near in spelling) filed a delivery complaint; 邮箱 at the method
    prompt is the channel's email, as 邮件 is."""
    for other in _ANSWERS:
        if other != field:
            hit = _cached_index(other, candidates(other, None, ())).get(typed)
            if hit is not None and hit[0] != code:
                return True
    return False


def _cjk(text: str) -> bool:
    """Whether a word was typed with Chinese characters (or other CJK ones)."""
    return any(ord(ch) >= 0x2E80 for ch in text)


def nearest(typed: str, keys: dict[str, tuple[str, str]]) -> str | None:
    """The spelling closest to what was typed (difflib's ratio over codes, labels and
    synonyms), or None when nothing is close. A one-character slip in a two-character
    Chinese word is a ratio of 0.5, so CJK input takes that as close."""
    if not typed:
        return None
    import difflib  # only when a word was mistyped

    cjk = _cjk(typed)
    found = difflib.get_close_matches(typed, list(keys), n=5, cutoff=0.5 if cjk else 0.6)
    # 非常不满意 is one character from 非常满意, and means its opposite: a spelling
    # that adds or drops a negation (or 已/中/待, done, under way or not yet) is not offered
    # Nor a two-character word that shares one character in another place (微信, WeChat,
    # is not 信函, a letter; 换活 is not 更换 but may be 换货).
    marks = _marks(typed)
    # and one with such a mark that holds the word typed whole says that it may mean
    # another thing: 完成 is in 已完成 (resolved) as much as near 完结 (closed), and
    # was offered 完结 alone
    held = {keys[f][0] for f in found if _marks(f) != marks and typed in f}
    found = [f for f in found if _marks(f) == marks]
    if not found or held - {keys[found[0]][0]}:
        return None
    # When the closest spellings name different codes, none: 一级 is as near 一般 as 高级
    # (a company's own level, which only the user knows), 当面 as near 书面 as 面谈.
    best = difflib.SequenceMatcher(None, typed, found[0]).ratio()
    if len({keys[f][0] for f in found
            if difflib.SequenceMatcher(None, typed, f).ratio() == best}) > 1:
        return None
    found = [f for f in found if not (cjk and len(typed) == len(f) == 2 and typed[0] != f[0]
                                      and typed[1] != f[1])]
    if not found:
        return None
    code, word = keys[found[0]]
    return word if " " not in word else code  # typed as one word after the option


_NEGATIONS = frozenset("不非无未没否已中待唔冇")


def _marks(text: str) -> list[str]:
    """The negations in a word (非常, very, is none: 非紧急, not urgent, was offered
    非常紧急, very urgent)."""
    return [ch for ch in text.replace("非常", "") if ch in _NEGATIONS]


_INDEXES: dict[tuple[str, tuple[Word, ...]], dict[str, tuple[str, str]]] = {}


def _cached_index(field: str, words: tuple[Word, ...]) -> dict[str, tuple[str, str]]:
    cache_key = (field, words)
    found = _INDEXES.get(cache_key)
    if found is None:
        if len(_INDEXES) > 256:  # a long-lived caller with many ledgers
            _INDEXES.clear()
        found = _INDEXES[cache_key] = index(words)
    return found


def resolve(field: str, text: str, allowed: Iterable[str] | None = None, *,
            extra: Iterable[Word] = (), option: str | None = None,
            lang: str | None = None) -> str:
    """The one input path for an enumerated value: `text` as the code, the English
    or Chinese label, or a synonym, compared by `key` (width, case, spacing do not
    matter) -> the code. `allowed` narrows the field's codes (a revisit's methods,
    the ledger's categories); `extra` adds words the table does not hold.

    An unknown word is BadInput naming the nearest spelling ("did you mean high?",
    only when one is close) and the choices, in the display language `lang`
    (default: i18n.lang()); `option` is how the message names the value's source."""
    try:
        return lookup(field, text, allowed, extra)
    except UnknownWord as exc:
        several = _several(field, text, allowed, extra)
        if several:  # `--status open,closed` was told "did you mean closed?"
            from complaintctl import i18n
            from complaintctl.i18n import _

            source = _source(option, field)
            raise BadInput(_("{option} takes one value, not several: {value}").format(
                option=source, value=i18n.shown(text)),
                hint=_("give one at a time: {option} {first}, then {option} {second}, or "
                       "leave {option} out for all").format(
                           option=source, first=several[0], second=several[1]),
                code="several_values", option=source) from None
        raise unknown(field, exc, option=option, lang=lang) from None


def _listed_as(field: str, exc: UnknownWord, names: list[str]) -> str | None:
    """The name the choices listed (`names`, beside exc.choices) give the word
    exc.suggestion stands for, when the suggestion is not that name itself; else None."""
    try:
        code = lookup(field, exc.suggestion or "", [w.code for w in exc.choices])
    except UnknownWord:
        return None
    name = next((n for w, n in zip(exc.choices, names, strict=True) if w.code == code), None)
    if name is None or key(name) == key(exc.suggestion or "") or code == exc.suggestion:
        return None
    return name


def _source(option: str | None, field: str) -> str:
    """How a refusal names where a value came from: the option, or the field; an
    argument's name (STAGE) in the reader's language."""
    from complaintctl.i18n import _

    source = option or field
    return _(source) if source.isupper() else source


_LIST_SEPARATORS = re.compile(r"\s*[,，、;；/|+]\s*")


def _several(field: str, text: str, allowed: Iterable[str] | None,
             extra: Iterable[Word]) -> list[str]:
    """The words of `text` when it is a list of two or more that each resolve (as
    typed), else []."""
    parts = [p for p in _LIST_SEPARATORS.split(text.strip()) if p]
    if len(parts) < 2:
        return []
    extra = list(extra)
    try:
        for part in parts:
            lookup(field, part, allowed, extra)
    except UnknownWord:
        return []
    return parts


# Fields whose codes are what people type (and the help shows): `--lang zh|en`.
_CODES_SHOWN = frozenset({"language", "format", "clear_field", "export_what", "report_section"})


def unknown(field: str, exc: UnknownWord, *, option: str | None = None,
            lang: str | None = None) -> BadInput:
    """The error for a word `lookup` did not find."""
    from complaintctl import i18n
    from complaintctl.i18n import _

    shown_lang = lang or i18n.lang()
    # (in English a label that is its code spelt with spaces is given as the code, as the
    # did-you-mean and the JSON give it: "no action" was listed, no-action suggested)
    names = [w.zh if shown_lang == "zh" else
             w.code if w.en == w.code.replace("-", " ").replace("_", " ") else w.en
             for w in exc.choices]
    examples = names
    if field in _CODES_SHOWN:  # typed as codes (zh, en): the codes first, labels beside
        aside = "{code}（{name}）" if shown_lang == "zh" else "{code} ({name})"
        names = [aside.format(code=w.code, name=name) if name.casefold() != w.code else w.code
                 for w, name in zip(exc.choices, names, strict=True)]
    # the example is typed after the option as one word: a label of two (defect
    # confirmed) gives its code instead
    examples = [w.code if field in _CODES_SHOWN or " " in name else name
                for w, name in zip(exc.choices, examples, strict=True)]
    source = option or field
    said = _source(option, field)
    from complaintctl import parse

    if parse.looks_like_contact(exc.value):  # a phone number typed in the wrong option:
        # masked, as the importer says it (it was echoed whole, to cron's mail too)
        return BadInput(_("{option} {value} is not one of its words: it looks like a phone "
                          "number or e-mail address").format(
                              option=said, value=i18n.shown(parse.mask(exc.value))),
                        hint=_("give a contact with --contact"), code="looks_like_contact",
                        field=field, choices=[w.code for w in exc.choices])
    message = _("{option} {value} is not one of: {choices}").format(
        option=said, value=i18n.shown(exc.value), choices=i18n.listing(names, shown_lang))
    if shown_lang == "zh" and not said.startswith("-"):  # 严重程度“huge”, as 阶段“foo”: a
        message = message.replace(f"{said} ", said, 1)  # space only after an option
    if exc.suggestion is not None:
        # a synonym the list beside it does not show (制造 for 制造问题): with the word the
        # list names it by (it was offered alone, as if one of the list)
        shown_as = _listed_as(field, exc, names)
        hint = (_("did you mean {word} ({label})?").format(word=exc.suggestion, label=shown_as)
                if shown_as else _("did you mean {word}?").format(word=exc.suggestion))
    elif names and source.isupper():  # an argument (STAGE): typed alone, not after its name
        hint = _("type one of them, e.g. {example}").format(example=examples[0])
    elif names:
        hint = _("type one of them, e.g. {option} {example}").format(
            option=source, example=examples[0])
    else:
        hint = None
    return BadInput(message, hint=hint, code="unknown_word", field=field, value=exc.value,
                    suggestion=exc.suggestion, choices=[w.code for w in exc.choices])


