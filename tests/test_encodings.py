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
    assert "Error: column 客戶 is not in the file" in r.stderr, r.stderr
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


def test_a_file_that_reads_as_both_is_refused_with_the_choice(tw, tmp_path):
    """宁波精工 in GBK is 譴疏儕馱 in Big5: four common characters either way. Nothing
    tells them apart: refused (exit 2), nothing stored, the user says which."""
    mapping = tmp_path / "en.toml"
    mapping.write_text(EN_MAPPING, encoding="utf-8")
    csv = write(tmp_path / "both.csv", ENGLISH_HEADER + "NB-1,2026/11/02,宁波精工,,phone,"
                "quality,high,PS-5,late\r\n", "gbk")
    before = tw.snapshot()
    r = tw("import", csv, "--mapping", mapping, code=2)
    assert r.stderr == ("Error: cannot tell the file's encoding: it reads as Big5 (Taiwan, "
                        "Hong Kong) and as GBK (mainland China), and neither is clearly the "
                        "right one\nHint: give it with --encoding: --encoding big5 (or "
                        "big5hkscs) or --encoding gbk\n"), r.stderr
    assert tw.snapshot() == before
    assert "--encoding big5" in tw("--lang", "zh", "import", csv, "--template", code=2).stderr
    tw("import", csv, "--mapping", mapping, "--encoding", "gbk")
    assert stored(tw) == [("NB-1", "宁波精工", "late")]


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
