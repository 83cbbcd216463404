"""Hong Kong and Taiwan type Traditional characters (緊急, 電話, 退貨, 2小時), their own
currency's signs (NT$, 新台幣, 港幣, 萬) and dates with their weekday (2026年11月17日（星期二）):
each was refused, and 緊急 (critical) was answered "did you mean 急?", which is high."""

from __future__ import annotations

import sqlite3

import pytest


@pytest.fixture
def tw(ledger, tmp_path):
    db = tmp_path / "tw.db"
    ledger("--db", db, "init", "--country", "TW", "--timezone", "Asia/Taipei", "--currency",
           "TWD")

    def run(*args, code=0):
        return ledger("--db", db, *args, code=code)
    def rows(sql):
        with sqlite3.connect(db) as conn:
            return conn.execute(sql).fetchall()
    run.rows = rows
    return run


def _log(run, severity: str, **over: str) -> str:
    given = {"--customer": "台北電子", "--channel": "電話", "--category": "品質",
             "--severity": severity, "--description": "電機異音", "--received":
             "2026-11-17 09:00", **over}
    return run("log", "--no-input", *(x for pair in given.items() for x in pair)
               ).stdout.strip()


def test_traditional_words_are_the_same_words(tw):
    for typed, code in (("緊急", "critical"), ("嚴重", "high"), ("一般", "medium")):
        cid = _log(tw, typed)
        assert tw.rows(f"SELECT severity, channel, category FROM complaints WHERE id = '{cid}'"
                       ) == [(code, "phone", "quality")]
    # the channels Taiwan and Hong Kong name in their own words
    for typed, code in (("社群媒體", "social"), ("臉書", "social"), ("LINE", "social"),
                        ("門市", "visit"), ("客服專線", "hotline"), ("0800", "hotline"),
                        ("網路", "web"), ("消委會", "regulator"), ("消保官", "regulator"),
                        ("WhatsApp", "social"), ("親臨", "visit"), ("客戶來訪", "visit"),
                        ("郵寄", "letter"), ("主管機關", "regulator")):
        cid = _log(tw, "低", **{"--channel": typed})
        assert tw.rows(f"SELECT channel FROM complaints WHERE id = '{cid}'") == [(code,)], typed
    for typed, code in (("質素", "quality"), ("品質不良", "quality"), ("不良品", "quality"),
                        ("送貨", "delivery")):
        cid = _log(tw, "低", **{"--category": typed})
        assert tw.rows(f"SELECT category FROM complaints WHERE id = '{cid}'") == [(code,)], typed
    cid = _log(tw, "低", **{"--channel": "電郵"})
    assert tw.rows(f"SELECT channel FROM complaints WHERE id = '{cid}'") == [("email",)]
    tw("assign", cid, "--dept", "品保部", "--owner", "林", "--at", "2026-11-17 10:00")
    tw("investigate", cid, "--cause", "焊點", "--at", "2026-11-17 11:00")
    tw("resolve", cid, "--disposition", "換貨", "--summary", "換新", "--at", "2026-11-17 12:00")
    tw("revisit", cid, "--satisfaction", "滿意", "--at", "2026-11-18 09:00")
    assert tw.rows(f"SELECT disposition, status FROM complaints WHERE id = '{cid}'") == [
        ("exchange", "closed")]
    # a duration as Hong Kong and Taiwan write it
    tw("policy", "set", "assign", "緊急", "2小時")
    tw("policy", "set", "resolve", "低", "4工作天")
    shown = tw("policy", "show").stdout
    assert "2h" in shown and "4wd" in shown, shown


def test_the_ledgers_own_dollar_however_written(tw):
    cid = _log(tw, "一般")
    tw("assign", cid, "--dept", "品保部", "--owner", "林", "--at", "2026-11-17 10:00")
    tw("investigate", cid, "--cause", "焊點", "--at", "2026-11-17 11:00")
    before = tw.rows("SELECT count(*) FROM resolutions")
    r = tw("resolve", cid, "--disposition", "退款", "--summary", "x", "--amount", "¥100",
           code=2)
    assert "is in another currency than the ledger's (TWD)" in r.stderr
    assert tw.rows("SELECT count(*) FROM resolutions") == before
    tw("resolve", cid, "--disposition", "退款", "--summary", "x", "--amount", "$1,250",
       "--at", "2026-11-17 12:00")  # ($ is Taiwan's own dollar there; 新台幣1,250元 alike)
    tw("revisit", cid, "--satisfaction", "不滿意", "--at", "2026-11-18 09:00")
    tw("resolve", cid, "--disposition", "賠償", "--summary", "y", "--amount", "1.5萬",
       "--at", "2026-11-18 12:00")
    assert tw.rows("SELECT disposition, amount, currency FROM resolutions ORDER BY id") == [
        ("refund", 125000, "TWD"), ("compensation", 1500000, "TWD")]
    # as a receipt writes it (元整) and as it is said (三百塊錢): refused as another
    # currency, and "not an amount"
    tw("revisit", cid, "--satisfaction", "不滿意", "--at", "2026-11-19 09:00")
    tw("resolve", cid, "--disposition", "賠償", "--summary", "z", "--amount", "300元整",
       "--at", "2026-11-19 12:00")
    tw("revisit", cid, "--satisfaction", "不滿意", "--at", "2026-11-19 13:00")
    tw("resolve", cid, "--disposition", "賠償", "--summary", "w", "--amount", "300塊錢",
       "--at", "2026-11-19 14:00")
    assert tw.rows("SELECT amount, currency FROM resolutions ORDER BY id")[2:] == [
        (30000, "TWD"), (30000, "TWD")]


def test_a_date_with_its_weekday(tw):
    cid = _log(tw, "一般", **{"--received": "2026年11月17日（星期二） 上午9點"})
    assert tw.rows(f"SELECT received_at FROM complaints WHERE id = '{cid}'") == [
        ("2026-11-17T01:00:00Z",)]
    before = tw.rows("SELECT count(*) FROM complaints")
    r = tw("list", "--since", "2026年11月17日（星期三）", code=2)
    assert r.stderr.startswith("Error: --since '2026年11月17日（星期三）': 2026-11-17 is not "
                               "a 星期三\nHint: give the date alone, e.g. --since "
                               "'2026年11月17日'"), r.stderr
    # in Chinese the example is quoted for the shell too (“2026年11月17日”, pasted, was
    # read with its quotes and refused)
    r = tw("--lang", "zh", "list", "--since", "2026年11月17日（星期三）", code=2)
    assert "提示：只写日期即可，例如 --since '2026年11月17日'\n" in r.stderr, r.stderr
    r = tw("list", "--since", "星期二", code=2)
    assert "is a weekday, not a date" in r.stderr
    assert tw("list", "--since", "Tue, 2026-11-17", "--format", "csv").stdout.count(cid) == 1
    assert tw.rows("SELECT count(*) FROM complaints") == before


def test_every_weekday_named_must_be_the_dates_and_the_hint_keeps_the_time(ledger):
    """周二 2026-01-06 15:30（星期五） was taken as Tuesday (the second weekday unread); the
    hint of a wrong weekday dropped the time (typed as shown, it recorded 00:00); and
    今天（星期六） was "a weekday, not a date"."""
    cid = ledger.log()
    before = ledger.snapshot()
    r = ledger("note", cid, "--text", "x", "--at", "周二 2026-11-17 15:30（星期五）", code=2)
    assert r.stderr.startswith("Error: --at '周二 2026-11-17 15:30（星期五）': 2026-11-17 "
                               "is not a 星期五\nHint: give the date alone, e.g. --at "
                               "'2026-11-17 15:30'"), r.stderr
    ledger("list", "--since", "Tue 2026-11-17 Wed", code=2)
    assert ledger.snapshot() == before
    # the pinned clock is Monday 2026-11-23, 20:00 in Shanghai
    assert ledger("list", "--since", "今天（星期一）", "--format", "csv").stdout.count(cid) == 0
    assert cid in ledger("list", "--since", "2026年9月30日（星期三）", "--format", "csv").stdout
    ledger("list", "--since", "今天（星期二）", code=2)


@pytest.mark.parametrize(("field", "typed", "code"), [
    ("category", "帳務", "billing"),            # Taiwan's 帳 (zhconv reads it as 帐)
    ("satisfaction", "唔滿意", "unsatisfied"),  # Cantonese 唔 is 不: it was offered 满意
    ("satisfaction", "非常唔滿意", "unsatisfied"), ("satisfaction", "唔太滿意", "unsatisfied"),
    # a Hong Kong and Taiwan clerk's words that were refused, offered in simplified
    ("severity", "極其嚴重", "critical"), ("channel", "網絡", "web"),
    ("channel", "企業微信", "social"), ("channel", "小紅書", "social"),
    ("channel", "釘釘", "social"), ("channel", "視頻號", "social"),
    ("channel", "簡訊", "phone"), ("channel", "線上", "web"), ("channel", "線上客服", "web"),
    ("category", "技術支援", "technical"),
    # the demand's words as a disposition too, and a revisit by 手机
    ("disposition", "調換", "exchange"), ("disposition", "退錢", "refund"),
    ("disposition", "打折", "discount"), ("method", "手機", "phone")])
def test_taiwan_and_cantonese_words(field, typed, code):
    from complaintctl import words

    assert words.lookup(field, typed) == code


def test_a_cantonese_negation_is_never_offered_its_opposite():
    from complaintctl import words

    with pytest.raises(words.UnknownWord) as found:
        words.lookup("satisfaction", "好唔滿意")
    assert found.value.suggestion == "不满意"


def test_no_deadline_in_traditional(tw):
    tw("policy", "set", "resolve", "低", "無")
    assert tw.rows("SELECT count(*) FROM events WHERE kind = 'policy-set'") == [(1,)]


def test_taiwans_republic_years_and_a_weekday_abbreviated(tw):
    """民國115年10月23日 (Taiwan's forms) and 2026年10月23日（五） were unreadable."""
    cid = _log(tw, "一般", **{"--received": "民國115年11月17日（二） 上午9點"})
    assert tw.rows(f"SELECT received_at FROM complaints WHERE id = '{cid}'") == [
        ("2026-11-17T01:00:00Z",)]
    r = tw("list", "--since", "2026年11月17日（四）", code=2)
    assert "2026-11-17 is not a 星期四" in r.stderr, r.stderr



def test_a_taiwan_register_as_windows_saves_it(tw, tmp_path):
    """A Big5 register from Traditional Windows: 民國 dates (114/03/04), its times
    上午 12:05:00 (read as noon: 00:05 to Windows, refused now as either) and 下午 08:30:00
    (refused: it is 20:30), 5個, its totals
    and signature rows (合計, 製表人：) refused as complaints, and headers 負責人,
    責任單位, 嚴重度, 反應管道 left unguessed."""
    import csv

    path = tmp_path / "客訴登記表.csv"
    with open(path, "w", encoding="cp950", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["客訴單號", "客訴日期", "客戶名稱", "反應管道", "嚴重度", "責任單位", "負責人",
                    "客訴內容", "數量"])
        w.writerow(["A1", "114/03/04 上午 09:05:00", "宏達電子", "電話", "緊急", "品保課", "陳志明",
                    "刮傷", "5個"])
        w.writerow(["A2", "114/03/06 下午 08:30:00", "統一工業", "傳真", "一般", "製造課", "王大同",
                    "毛邊", "3 組"])
        w.writerow(["合計", "", "", "", "", "", "", "", "8"])
        w.writerow(["製表人：阿明", "", "審核：陳志明", "", "", "", "", "", ""])
    template = tw("import", path, "--template").stdout
    for line in ('owner = "負責人"', 'department = "責任單位"', 'severity = "嚴重度"',
                 'channel = "反應管道"', 'received_at = "客訴日期"', 'quantity = "數量"'):
        assert line in template, template
    # 上午 12:05 is 00:05 on Windows' clock and 12:05 to a clerk: refused with both
    r = tw("log", "--no-input", "--customer", "X", "--channel", "電話", "--category", "品質",
           "--severity", "一般", "--description", "d", "--received", "114/03/04 上午 12:05:00",
           code=2)
    assert "114/03/04 凌晨0点5分 (114/03/04 00:05) / 114/03/04 中午12点5分 (114/03/04 " \
        "12:05)" in r.stderr, r.stderr
    mapping = tmp_path / "map.toml"
    assert '\nassigned_at = "received_at"\n' in template, template  # (the user had to)
    mapping.write_text(template.replace('# category = "other"', 'category = "quality"'),
                       encoding="utf-8")
    r = tw("import", path, "--mapping", mapping)
    assert "totals row" in r.stdout + r.stderr and "signature" in r.stdout + r.stderr, \
        r.stdout + r.stderr
    assert tw.rows("SELECT source_key, received_at, severity, channel, quantity, owner "
                   "FROM complaints ORDER BY source_key") == [
        ("A1", "2025-03-04T01:05:00Z", "critical", "phone", 5, "陳志明"),  # names as typed
        ("A2", "2025-03-06T12:30:00Z", "medium", "fax", 3, "王大同")]


def test_there_is_no_year_0_of_the_republic(tw):
    """民國0年1月1日 was taken as 1911 (the Republic's first year, 民國元年, is 1912)."""
    r = tw("list", "--since", "民國0年1月1日", code=2)
    assert "cannot read --since '民國0年1月1日'" in r.stderr, r.stderr
    assert tw("list", "--since", "民國1年1月1日", "--format", "csv").stdout.startswith("\ufeff")


def test_a_day_without_its_year_but_with_its_weekday_is_hinted_with_that_weekdays_year(
        ledger):
    """12月1日（星期一） was hinted 2026年12月1日, a Tuesday: typed back, a date the clerk had
    not meant (the Monday was 2025's); the message quoted the value without its weekday."""
    r = ledger("list", "--since", "11月16日（星期日）", code=2)  # (the clock: 2026-11-23)
    assert r.stderr.startswith("Error: cannot read --since '11月16日（星期日）': it has no "
                               "year\nHint: give the year first, e.g. 2025年11月16日"), r.stderr
    r = ledger("list", "--since", "11月16日（星期一）", code=2)
    assert "e.g. 2026年11月16日" in r.stderr, r.stderr



@pytest.mark.parametrize("typed", ["114/03/04", "114年3月4日"])
def test_a_three_digit_year_is_the_republics_on_taiwans_clock_only(ledger, tw, typed):
    """114/03/04 was read as 2025-03-04 in every ledger: a mainland clerk's slip (014?
    2114?) filed silently. On Taiwan's clock it is the Republic's 114; elsewhere refused,
    with the two ways to write it; 民國 written out is read anywhere."""
    before = ledger.snapshot()
    r = ledger("log", "--no-input", "--customer", "X", "--channel", "phone", "--category",
               "quality", "--severity", "low", "--description", "d", "--received", typed,
               code=2)
    assert "a year of three digits (114) is a year of the Republic (民國) only in a ledger " \
        "on Taiwan's time" in r.stderr and "2025, or 民國114年" in r.stderr, r.stderr
    assert ledger.snapshot() == before
    cid = ledger("log", "--no-input", "--customer", "X", "--channel", "phone", "--category",
                 "quality", "--severity", "low", "--description", "d", "--received",
                 "民國" + typed).stdout.strip()
    assert ledger.rows("SELECT received_at FROM complaints WHERE id = ?", (cid,)) == [
        ("2025-03-03T16:00:00Z",)]
    cid = _log(tw, "一般", **{"--received": typed})
    assert tw.rows(f"SELECT received_at FROM complaints WHERE id = '{cid}'") == [
        ("2025-03-03T16:00:00Z",)]


@pytest.mark.parametrize(("typed", "code"), [("日圓", "JPY"), ("美金", "USD"), ("港紙", "HKD")])
def test_the_currency_words_of_hong_kong_and_taiwan(run, typed, code):
    """init --currency 日圓 (Taiwan's 日元), 美金 (the everyday US dollar) and 港紙 were
    "not a currency code"."""
    run("init", "--currency", typed)
    assert run.rows("SELECT value FROM settings WHERE key = 'currency'") == [(code,)]


def test_a_republic_date_outside_taiwan_is_said_as_a_date_not_a_contact(run, tmp_path):
    """115/11/03 in a Hong Kong ledger's import was masked as a contact ('*****1/03 ...
    looks like a phone number'); 115年11月4日 got the 民國 explanation."""
    run("init", "--country", "HK", "--timezone", "Asia/Hong_Kong", "--currency", "HKD")
    path = tmp_path / "roc.csv"
    path.write_text("投訴單號,投訴日期,客戶名稱,投訴管道,投訴類別,嚴重程度,投訴內容\n"
                    "H-1,115/11/03,甲,電話,品質,高,異響\nH-2,115-11-05,甲,電話,品質,高,異響\n"
                    "H-3,555-12-34,甲,電話,品質,高,異響\n",  # (a phone number: no month 12, day 34)
                    encoding="utf-8")
    mapping = tmp_path / "roc.toml"
    mapping.write_text('key = "投訴單號"\n[columns]\nreceived_at = "投訴日期"\n'
                       'customer = "客戶名稱"\nchannel = "投訴管道"\ncategory = "投訴類別"\n'
                       'severity = "嚴重程度"\ndescription = "投訴內容"\n', encoding="utf-8")
    r = run("import", path, "--mapping", mapping, "--dry-run", code=2)
    for row, value in ((2, "115/11/03"), (3, "115-11-05")):
        assert f"row {row}, column 投訴日期: '{value}' is not a date here: a year of three " \
            "digits is a year of the Republic (民國)" in r.stderr, r.stderr
    assert "555-12-34" not in r.stderr and "row 4, column 投訴日期: '*****2-34' is not a " \
        "value of this column's field: it looks like a phone number" in r.stderr, r.stderr


def test_a_template_guesses_taiwans_and_hong_kongs_headers(run, tmp_path):
    """答覆日期, 答覆內容 (答复 in simplified), 幣種 and Taiwan's 聯絡方式 were left for the
    clerk to map by hand, as their simplified forms were guessed."""
    run("init", "--country", "TW", "--timezone", "Asia/Taipei", "--currency", "TWD")
    path = tmp_path / "t.csv"
    path.write_text("投訴單號,投訴日期,客戶名稱,聯絡方式,投訴管道,投訴類別,嚴重程度,投訴內容,處理方式,"
                    "答覆日期,答覆內容,幣種\nT-1,2026/11/03,甲,0912345678,電話,品質,高,異響,換貨,"
                    "2026/11/05,已換,TWD\n", encoding="utf-8")
    text = run("import", path, "--template").stdout
    for line in ('contact = "聯絡方式"', 'resolved_at = "答覆日期"', 'summary = "答覆內容"',
                 'currency = "幣種"'):
        assert f"\n{line}\n" in text, (line, text)
