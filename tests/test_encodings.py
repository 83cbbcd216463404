"""The encoding of a CSV register: Big5 (what Windows saves in Taiwan and Hong Kong) was
read as GBK without a word — 台北電子股份有限公司 stored as 筿Τそ…, a template of garbled
column names — because nearly every Big5 file also decodes as GBK. Which reading is
plausible Chinese now decides, and a file that reads plausibly both ways is refused with
the choice to make. A Big5 file with Hong Kong's characters (嘅 啲 唔) was said to be
bad in row 1 (the header) with a hint to try gbk: now the row the bytes are in, and
--encoding big5hkscs."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaintctl import readers

ENGLISH_HEADER = "No,Date,Customer,Phone,Channel,Category,Severity,Product,Description\r\n"
TAIPEI = ("TW-001,2026/11/02,台北電子股份有限公司,+886 2 2345 6789,phone,quality,high,"
          "XD-200,電機運轉異音，客戶要求退貨\r\n")
EN_MAPPING = """key = "No"
[columns]
received_at = "Date"
customer = "Customer"
contact = "Phone"
channel = "Channel"
category = "Category"
severity = "Severity"
product = "Product"
description = "Description"
"""

# A register as kept in Taiwan or Hong Kong: traditional headers.
TRADITIONAL_HEADER = ["編號", "日期", "客戶名稱", "聯絡電話", "投訴管道", "類別", "嚴重程度",
                      "產品型號", "投訴內容"]
TRADITIONAL_MAPPING = """key = "編號"
[columns]
received_at = "日期"
customer = "客戶名稱"
contact = "聯絡電話"
channel = "投訴管道"
category = "類別"
severity = "嚴重程度"
product = "產品型號"
description = "投訴內容"
"""
HONG_KONG = ["HK-001,2026/11/03,香港電器有限公司,+852 2345 6789,phone,quality,high,XD-200,"
             "部機嘅摩打有啲聲，客人話唔要\r\n"]


@pytest.fixture
def tw(run):
    """A ledger in Taipei."""
    run("init", "--country", "TW", "--timezone", "Asia/Taipei", "--currency", "TWD")
    return run


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def stored(run) -> list[tuple]:
    return run.rows("SELECT source_key, customer, description FROM complaints ORDER BY 1")


def test_a_big5_register_is_read_as_big5(tw, tmp_path):
    """The tester's file: Big5 with English headers, imported as GBK (exit 0) with the
    customer and the description garbled."""
    csv = write(tmp_path / "en_big5.csv", ENGLISH_HEADER + TAIPEI, "big5")
    mapping = tmp_path / "en.toml"
    mapping.write_text(EN_MAPPING, encoding="utf-8")
    r = tw("import", csv, "--mapping", mapping)
    assert "Import batch 1: 1 new complaint, 0 already imported." in r.stderr, r.stderr
    assert stored(tw) == [("TW-001", "台北電子股份有限公司", "電機運轉異音，客戶要求退貨")]
    # and read the same way when the user says so
    again = tw("import", csv, "--mapping", mapping, "--encoding", "big5", "--dry-run")
    assert "0 new complaints, 1 already imported" in again.stdout, again.stdout


def test_a_big5_template_and_a_mismatched_mapping_name_the_columns_readably(tw, tmp_path):
    """--template wrote the traditional headers garbled (絪腹, ら戳 …), and a mapping
    that did not match listed those garbled names."""
    rows = ["TW-002,2026/11/02,台北電子股份有限公司,02-2345-6789,phone,quality,high,XD-200,"
            "電機運轉異音，客戶要求退貨\r\n"]
    csv = write(tmp_path / "tw_big5.csv", ",".join(TRADITIONAL_HEADER) + "\r\n" + "".join(rows),
                "big5")
    template = tw("import", csv, "--template").stdout
    for name in TRADITIONAL_HEADER:
        assert f'"{name}"' in template, (name, template)
    assert "\ue000" not in template and "絪腹" not in template
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('key = "編號"\n[columns]\ncustomer = "客戶"\n', encoding="utf-8")
    before = tw.snapshot()
    r = tw("import", csv, "--mapping", wrong, code=2)
    assert "Error: column '客戶' is not in the file" in r.stderr, r.stderr
    assert "Hint: its columns: " in r.stderr and "客戶名稱" in r.stderr and "嚴重程度" in r.stderr
    assert tw.snapshot() == before
    mapping = tmp_path / "tw.toml"
    mapping.write_text(TRADITIONAL_MAPPING, encoding="utf-8")
    tw("import", csv, "--mapping", mapping)
    assert stored(tw) == [("TW-002", "台北電子股份有限公司", "電機運轉異音，客戶要求退貨")]


def test_gbk_with_traditional_characters_is_still_gbk(tw, tmp_path):
    """GBK holds traditional characters too (a register typed on a mainland machine with
    traditional names): such a file is GBK, as before; so is a simplified one."""
    mapping = tmp_path / "tw.toml"
    mapping.write_text(TRADITIONAL_MAPPING, encoding="utf-8")
    text = ",".join(TRADITIONAL_HEADER) + "\r\n" + (
        "G-1,2026/11/02,台北電子股份有限公司,02-2345-6789,phone,quality,high,XD-200,"
        "電機運轉異音，客戶要求退貨\r\n"
        "G-2,2026/11/03,华东电器有限公司,13812345678,phone,quality,high,XD-200,电机异响\r\n")
    tw("import", write(tmp_path / "gbk.csv", text, "gbk"), "--mapping", mapping)
    assert stored(tw) == [("G-1", "台北電子股份有限公司", "電機運轉異音，客戶要求退貨"),
                          ("G-2", "华东电器有限公司", "电机异响")]


def test_a_file_that_reads_as_both_is_read_as_the_ledgers_region_reads_it(run, tmp_path):
    """宁波精工 in GBK is 譴疏儕馱 in Big5: common characters either way. Nothing in
    the file tells them apart: the ledger's country does (CN: GBK; TW: Big5); without a
    ledger (--template) it is refused, showing the line in each reading."""
    mapping = tmp_path / "en.toml"
    mapping.write_text(EN_MAPPING, encoding="utf-8")
    csv = write(tmp_path / "both.csv", ENGLISH_HEADER + "NB-1,2026/11/02,宁波精工,,phone,"
                "quality,high,PS-5,late\r\n", "gbk")
    r = run("import", csv, "--template", code=2)
    assert r.stderr == (
        "Error: cannot tell the file's encoding: it reads as GBK (mainland China) and as "
        "Big5 (Taiwan, Hong Kong), and neither is clearly the right one; its line 2 in each:\n"
        "  --encoding gbk:  NB-1,2026/11/02,宁波精工,,phone,quality,high…\n"
        "  --encoding big5: NB-1,2026/11/02,譴疏儕馱,,phone,quality,high…\n"
        "Hint: give the one whose line reads right: --encoding gbk or --encoding big5\n"), \
        r.stderr
    zh = run("--lang", "zh", "import", csv, "--template", code=2).stderr
    assert "其第 2 行按各编码读出为：" in zh and "--encoding big5: NB-1,2026/11/02,譴疏儕馱" in zh
    run("--db", tmp_path / "cn.db", "init", "--country", "CN")
    run("--db", tmp_path / "cn.db", "import", csv, "--mapping", mapping)
    assert read(tmp_path / "cn.db") == [("NB-1", "宁波精工", "late")]
    run("--db", tmp_path / "tw.db", "init", "--country", "TW", "--timezone", "Asia/Taipei",
        "--currency", "TWD")
    run("--db", tmp_path / "tw.db", "import", csv, "--mapping", mapping)
    assert read(tmp_path / "tw.db") == [("NB-1", "譴疏儕馱", "late")]
    # and as the user says
    run("--db", tmp_path / "tw.db", "import", csv, "--mapping", mapping, "--encoding", "gbk",
        "--dry-run")


def read(db: Path) -> list[tuple]:
    from support import read_rows

    return read_rows(db, "SELECT source_key, customer, description FROM complaints "
                         "ORDER BY 1")


def test_big5_that_fails_names_the_row_and_offers_big5hkscs(tw, tmp_path):
    """--encoding big5 on a Hong Kong register (嘅 啲 唔 are HKSCS, not Big5) said
    'row 1: … is not big5 text' (row 1 is the header) and offered gbk or utf-8."""
    mapping = tmp_path / "tw.toml"
    mapping.write_text(TRADITIONAL_MAPPING, encoding="utf-8")
    csv = write(tmp_path / "reg_hkscs.csv", ",".join(TRADITIONAL_HEADER) + "\r\n"
                + "".join(HONG_KONG), "big5hkscs")
    before = tw.snapshot()
    r = tw("import", csv, "--mapping", mapping, "--encoding", "big5", code=2)
    assert r.stderr == (f"Error: row 2: {csv} is not Big5 text\nHint: give the file's "
                        "encoding with --encoding: Big5 with Hong Kong's characters (HKSCS, "
                        "such as 嘅 啲 唔) is --encoding big5hkscs\n"), r.stderr
    assert tw.snapshot() == before
    tw("import", csv, "--mapping", mapping, "--encoding", "big5hkscs")
    assert stored(tw) == [("HK-001", "香港電器有限公司", "部機嘅摩打有啲聲，客人話唔要")]


def test_hong_kong_big5_is_found_without_being_named(tw, tmp_path):
    mapping = tmp_path / "tw.toml"
    mapping.write_text(TRADITIONAL_MAPPING, encoding="utf-8")
    csv = write(tmp_path / "hk.csv", ",".join(TRADITIONAL_HEADER) + "\r\n"
                + "".join(HONG_KONG), "big5hkscs")
    tw("import", csv, "--mapping", mapping)
    assert stored(tw) == [("HK-001", "香港電器有限公司", "部機嘅摩打有啲聲，客人話唔要")]


def test_big5_found_in_the_start_and_failing_later_says_where(tw, tmp_path, monkeypatch):
    """The encoding is told from the file's start (1 MiB; here a few lines): a Hong
    Kong character further on is said with its own row — past a title, the header and a
    cell over two lines — and big5hkscs offered."""
    monkeypatch.setattr(readers, "_SNIFF", 400)
    mapping = tmp_path / "tw.toml"
    mapping.write_text(TRADITIONAL_MAPPING, encoding="utf-8")
    rows = [f"TW-{n},2026/11/0{n},台北電子股份有限公司,02-2345-6789,phone,quality,high,"
            f"XD-200,電機運轉異音，客戶要求退貨\r\n" for n in range(1, 6)]
    rows[1] = rows[1].replace("電機運轉異音，客戶要求退貨", '"電機運轉異音，\r\n客戶要求退貨"')
    text = ("2026年客訴登記表\r\n" + ",".join(TRADITIONAL_HEADER) + "\r\n" + "".join(rows)
            + "".join(HONG_KONG))
    csv = write(tmp_path / "long.csv", text, "big5hkscs")
    assert text.index("嘅") > 400  # beyond what is read to tell the encoding
    before = tw.snapshot()
    r = tw("import", csv, "--mapping", mapping, code=2)
    # title 1, header 2, TW-1 … TW-5 rows 3–7 (TW-2's cell over two lines is one row),
    # HK-001 row 8
    assert r.stderr.startswith(f"Error: row 8: {csv} is not Big5 text\nHint: "), r.stderr
    assert "--encoding big5hkscs" in r.stderr
    assert tw.snapshot() == before
    # the rows as the import numbers them: HK-001 is row 8 there too
    tw("import", csv, "--mapping", mapping, "--encoding", "big5hkscs")
    assert tw.json("show", "--ref", "HK-001")["events"][0]["data"]["source"]["row"] == 8
    assert ("HK-001", "香港電器有限公司", "部機嘅摩打有啲聲，客人話唔要") in stored(tw)


# An English register in a mainland ledger: Customer and Issue mapped.
SHORT_MAPPING = """key = "No"
[columns]
customer = "Customer"
description = "Issue"
[defaults]
received_at = "2025-01-02 10:00"
channel = "phone"
category = "quality"
severity = "medium"
"""


@pytest.fixture
def cn(run, tmp_path):
    """A ledger in Shanghai, and the short mapping."""
    run("init", "--country", "CN", "--timezone", "Asia/Shanghai")
    mapping = tmp_path / "short.toml"
    mapping.write_text(SHORT_MAPPING, encoding="utf-8")
    run.mapping = mapping
    return run


def test_ordinary_gbk_registers_are_not_refused(cn, tmp_path):
    """A mainland register whose Big5 reading has Japanese kana, and one with the
    symbols a factory types (Φ ± ℃ ① ×, full-width letters), were refused as
    ambiguous: the symbols counted against GBK, and their bytes are common Big5 hanzi.
    Symbols, digits and Latin or Greek letters now tell nothing, kana tell against."""
    a = write(tmp_path / "a.csv", "单号,日期,客户,内容\r\nTS-2025-932,2025-3-16,美的,焊点虚焊\r\n"
              "TS-2025-235,2025-10-19,合肥机电,开裂\r\nTS-2025-649,2025-9-20,海尔,不制冷\r\n",
              "gbk")
    template = cn("import", a, "--template").stdout  # no ledger's region: by the file
    assert 'key = "单号"' in template and 'customer = "客户"' in template, template
    symbols = write(tmp_path / "s.csv", "No,Customer,Issue\r\n1,华东电器,尺寸超差 Φ10±0.5 "
                    "①85℃×2 ＡＢ面\r\n2,宁波精工,外观划伤\r\n", "gbk")
    cn("import", symbols, "--mapping", cn.mapping)
    assert stored(cn) == [("1", "华东电器", "尺寸超差 Φ10±0.5 ①85℃×2 ＡＢ面"),
                          ("2", "宁波精工", "外观划伤")]


def test_the_hint_names_the_codec_that_reads_the_file(run, tmp_path):
    """啊驱 read as Big5 needs Hong Kong's big5hkscs (plain big5 refuses its bytes): the
    hint said --encoding big5, which fails."""
    csv = write(tmp_path / "hk.csv", "No,Customer,Issue\r\n1,啊驱,late\r\n", "gbk")
    r = run("import", csv, "--template", code=2)
    assert "--encoding big5hkscs: 1," in r.stderr, r.stderr
    assert r.stderr.endswith("Hint: give the one whose line reads right: --encoding gbk or "
                             "--encoding big5hkscs\n"), r.stderr
    run("import", csv, "--template", "--encoding", "big5hkscs")


U_CSV = ("Complaint No,Date,Customer,Product,Issue\r\nC1,2025-01-02,Acme,Pump,漏水\r\n"
         "C2,2025-01-03,Bosch,Valve,失效\r\n")
U_MAPPING = """key = "Complaint No"
[columns]
received_at = "Date"
customer = "Customer"
product = "Product"
description = "Issue"
[defaults]
channel = "phone"
category = "quality"
severity = "medium"
"""


def test_gbk_that_is_also_valid_utf8_is_not_taken_for_utf8(run, tmp_path):
    """漏水 in GBK is C2A9 CBAE, valid UTF-8 for "©ˮ" (失效: "ʧЧ"): the file was imported
    as that nonsense without a word. A mainland ledger reads it as GBK; a ledger with no
    Chinese preference is asked, with both readings; a German UTF-8 register stays UTF-8
    without a question."""
    mapping = tmp_path / "u.toml"
    mapping.write_text(U_MAPPING, encoding="utf-8")
    csv = write(tmp_path / "u.csv", U_CSV, "gbk")
    cn = tmp_path / "cn.db"
    run("--db", cn, "init", "--country", "CN")
    run("--db", cn, "import", csv, "--mapping", mapping)
    assert read(cn) == [("C1", "Acme", "漏水"), ("C2", "Bosch", "失效")]
    de = tmp_path / "de.db"
    run("--db", de, "init", "--country", "DE", "--timezone", "Europe/Berlin", "--currency",
        "EUR")
    r = run("--db", de, "import", csv, "--mapping", mapping, code=2)
    assert r.stderr == (
        "Error: cannot tell the file's encoding: it reads as UTF-8 and as GBK (mainland "
        "China), and neither is clearly the right one; its line 2 in each:\n"
        "  --encoding utf-8: C1,2025-01-02,Acme,Pump,©ˮ\n"
        "  --encoding gbk:   C1,2025-01-02,Acme,Pump,漏水\n"
        "Hint: give the one whose line reads right: --encoding utf-8 or --encoding gbk\n"), \
        r.stderr
    assert read(de) == []
    german = write(tmp_path / "de.csv", "Complaint No,Date,Customer,Product,Issue\r\n"
                   "D1,2025-01-02,Müller GmbH,Pumpe Ø10,Gehäuse beschädigt, 25°C\r\n", "utf-8")
    run("--db", de, "import", german, "--mapping", mapping)
    assert read(de) == [("D1", "Müller GmbH", "Gehäuse beschädigt")]
    # a mainland ledger: a UTF-8 file whose only signs beyond ASCII are ambiguous is
    # asked about, GBK offered first
    sign = write(tmp_path / "sign.csv", "Complaint No,Date,Customer,Product,Issue\r\n"
                 "C3,2025-01-02,Acme,Pump,掳卤\r\n", "gbk")  # UTF-8: °±
    r = run("--db", cn, "import", sign, "--mapping", mapping, code=2)
    assert "Hint: give the one whose line reads right: --encoding gbk or " in r.stderr, r.stderr


def test_a_gbk_register_with_the_euro_sign_of_windows(cn, tmp_path):
    """Chinese Windows (code page 936) saves € as the byte 0x80, which Python's GBK
    codecs refuse: such a register could not be imported at all (the hint offered
    big5)."""
    text = ("投诉单号,投诉日期,客户名称,投诉内容,赔偿金额\r\nE-01,2025-05-01,德国博世,外观划伤，"
            "赔偿".encode("gbk") + b"\x80" + "200,1600\r\n".encode("gbk"))
    csv = tmp_path / "e.csv"
    csv.write_bytes(text)
    template = cn("import", csv, "--template").stdout
    assert 'description = "投诉内容"' in template and 'amount = "赔偿金额"' in template, template
    mapping = tmp_path / "e.toml"
    mapping.write_text('key = "投诉单号"\n[columns]\nreceived_at = "投诉日期"\ncustomer = '
                       '"客户名称"\ndescription = "投诉内容"\n[defaults]\nchannel = "phone"\n'
                       'category = "quality"\nseverity = "medium"\n', encoding="utf-8")
    cn("import", csv, "--mapping", mapping, "--encoding", "gbk", "--dry-run")
    cn("import", csv, "--mapping", mapping)
    assert stored(cn) == [("E-01", "德国博世", "外观划伤，赔偿€200")]


def test_the_row_of_bad_utf8_is_its_own(cn, tmp_path, monkeypatch):
    """--encoding utf-8 on a file whose bad bytes are in row 41 said row 1; detected
    from its start, a long file's bad row was said some rows early."""
    rows = "".join(f"{n},客户{n},问题{n}\n" for n in range(1, 60))
    data = ("No,Customer,Issue\n" + rows).encode("utf-8")
    at = data.index("客户40".encode())
    data = data[:at] + "客户".encode("gbk") + data[at + len("客户".encode()):]
    csv = tmp_path / "r.csv"
    csv.write_bytes(data)
    r = cn("import", csv, "--mapping", cn.mapping, "--encoding", "utf-8", code=2)
    assert r.stderr.startswith(f"Error: row 41: {csv} is not UTF-8 text\n"), r.stderr
    monkeypatch.setattr(readers, "_SNIFF", 200)  # told from the first rows: UTF-8
    r = cn("import", csv, "--mapping", cn.mapping, code=2)
    assert r.stderr.startswith(f"Error: row 41: {csv} is not UTF-8 text\n"), r.stderr
    assert stored(cn) == []


def test_a_small_gbk_file_ending_in_its_only_chinese_character(cn, tmp_path):
    """A character cut at the end of what was read is allowed for: not at the end of a
    file read whole, which was taken for UTF-8 and refused in row 1."""
    csv = tmp_path / "f.csv"
    csv.write_bytes(b"No,Customer,Issue\n1,ACME,Damaged box\n2,Bosch," + "好\n".encode("gbk"))
    cn("import", csv, "--mapping", cn.mapping)
    assert stored(cn) == [("1", "ACME", "Damaged box"), ("2", "Bosch", "好")]


def test_traditional_headers_are_guessed(run, tmp_path):
    """--template guessed none of a Taiwan or Hong Kong register's headers."""
    header = ["客訴單號", "客訴日期", "客戶名稱", "聯絡電話", "產品型號", "客訴內容", "處理方式",
              "回訪日期", "投訴管道"]
    csv = write(tmp_path / "tw.csv", ",".join(header) + "\r\nTW-1,2026/11/02,台北電子,"
                "02-2345-6789,XD-200,異音,換貨,2026/11/05,電話\r\n", "utf-8")
    template = run("import", csv, "--template").stdout
    for line in ('key = "客訴單號"', 'received_at = "客訴日期"', 'customer = "客戶名稱"',
                 'contact = "聯絡電話"', 'product = "產品型號"', 'description = "客訴內容"',
                 'disposition = "處理方式"', 'revisited_at = "回訪日期"',
                 'channel = "投訴管道"'):
        assert line in template, (line, template)
    other = write(tmp_path / "hk.csv", "編號,投訴單號,投訴內容\r\n1,HK-1,異音\r\n", "utf-8")
    template = run("import", other, "--template").stdout
    assert 'key = "投訴單號"' in template and 'description = "投訴內容"' in template, template


def test_a_taiwan_register_saved_by_windows_keeps_its_symbols_and_characters(tw, tmp_path):
    """A register Excel saved in Taiwan (cp950) was read as Python's big5: ‧ ～ ￥ ﹑
    became • ∼ ¥ ､ without a word, and one holding 碁 (not in big5) only after its first
    MB was refused whole with a hint to Hong Kong's Big5."""
    customer, description = "約翰‧史密斯貿易", "延誤10～15天，運費￥300，說明﹑備註"
    rows = [f"TW-{i:05d},2026/11/02,{customer},,phone,quality,high,XD-200,{description}\r\n"
            for i in range(1, 12001)]
    rows.append("TW-99999,2026/11/02,碁峰粧銹股份有限公司,,phone,quality,high,XD-200,裏墻恒嫺\r\n")
    csv = write(tmp_path / "tw_cp950.csv", ",".join(TRADITIONAL_HEADER) + "\r\n" + "".join(rows),
                "cp950")
    assert csv.stat().st_size > 1 << 20 and "碁".encode("cp950") in csv.read_bytes()[1 << 20:]
    mapping = tmp_path / "tw.toml"
    mapping.write_text(TRADITIONAL_MAPPING, encoding="utf-8")
    r = tw("import", csv, "--mapping", mapping)
    assert "12,001 new complaints" in r.stderr, r.stderr
    assert tw.rows("SELECT DISTINCT customer, description FROM complaints WHERE source_key "
                   "!= 'TW-99999'") == [(customer, description)]
    assert tw.rows("SELECT customer, description FROM complaints WHERE source_key = "
                   "'TW-99999'") == [("碁峰粧銹股份有限公司", "裏墻恒嫺")]
