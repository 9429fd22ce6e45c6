"""Who acts in a notice or minutes where the text names the organ once and then only its
role (issue 17, stop 28): 事務局 glossed with its organ, 当課 / 当庁 for the notice's
sender, the reader addressed as 貴職, an addressee that is a title and not an organ, and
a notice's 記 that opens its items.  Every document here is constructed; the
organisations are real kinds, the names invented."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text, measure_with

pytestmark = pytest.mark.slow


def _labels(x, m) -> set[str]:  # type: ignore[no-untyped-def]
    by_key = {e.key: e.label for e in x.entities}
    return {by_key.get(k, k) for k in m.actors}


def test_secretariat_glossed_with_its_organ(service, tmp_path: Path) -> None:
    """事務局（…課）から… in the minutes makes every later 事務局は… that organ's."""
    x = analyse_text(service, tmp_path / "doc.txt", "第2回さくら市地域交通会議　議事要旨\n\n"
                     "１　日時　令和8年5月20日（水）14時00分～15時30分\n"
                     "２　議事\n"
                     "　　事務局（さくら市交通政策課）から、令和7年度の運行実績を報告した。\n"
                     "３　決定事項\n"
                     "（１）事務局は、令和8年度中に利用者アンケートを実施する。\n"
                     "（２）事務局は、補助申請を6月30日までに運輸局へ提出する。\n")
    assert _labels(x, measure_with(x, "利用者アンケート")) == {"さくら市交通政策課"}
    assert _labels(x, measure_with(x, "補助申請")) == {"さくら市交通政策課"}


def test_the_sender_and_the_reader_of_a_notice(service, tmp_path: Path) -> None:
    """当課 is the sender under the addressee line; 当庁 its parent; 貴職 names no one, so a
    request made to 貴職 and to a titled addressee belongs to the addressee as printed (a
    title, not the prefectures its first word names); the 記 line is not the request's."""
    x = analyse_text(service, tmp_path / "doc.txt", "消防予第９９号\n令和8年4月1日\n\n"
                     "各都道府県消防防災主管部長　殿\n\n"
                     "消防庁予防課長\n（公印省略）\n\n"
                     "住宅防火対策の推進について（通知）\n\n"
                     "　貴職におかれては、下記事項に留意されるとともに、各都道府県消防防災主管部長におかれては、"
                     "管内の市町村に対しても、この旨周知されるようお願いします。\n\n記\n\n"
                     "１　当課は、令和8年度中に住宅防火の啓発資料を作成し、各消防本部に提供する。\n"
                     "２　当庁は、住宅用火災警報器の設置状況を毎年度調査する。\n")
    assert _labels(x, measure_with(x, "啓発資料")) == {"消防庁予防課"}
    assert _labels(x, measure_with(x, "設置状況")) == {"消防庁"}
    request = measure_with(x, "周知されるよう")
    assert request.actor_text == "各都道府県消防防災主管部長" and not request.actors
    assert not request.text.rstrip().endswith("記")


def test_the_ministry_of_a_budget_request(service, tmp_path: Path) -> None:
    """A budget request's title names the ministry asking for the money: it carries out the
    items that name no one; an item naming its own organ keeps it."""
    x = analyse_text(service, tmp_path / "doc.txt", "令和9年度 農林水産省 概算要求PR資料\n"
                     "事業名：スマート農業機械導入支援事業\n"
                     "事業の内容：\n"
                     "・中山間地域の農業者が行うスマート農業機械の導入を支援する。\n"
                     "・農研機構は、導入効果の実証を行う。\n")
    assert _labels(x, measure_with(x, "機械の導入を支援")) == {"農林水産省"}
    assert "農林水産省" not in _labels(x, measure_with(x, "導入効果の実証"))


def test_what_is_no_measure_of_a_notice_or_a_rule(service, tmp_path: Path) -> None:
    """A request that only leads into the items below (下記のとおり御対応をお願いします) and a
    rule's provisions on when it takes effect or ends commit no one; the items do."""
    x = analyse_text(service, tmp_path / "doc.txt", "事務連絡\n令和8年5月1日\n\n"
                     "各都道府県防災主管課　御中\n\n内閣府防災担当参事官\n\n"
                     "避難所の運営訓練について\n\n"
                     "　標記について、下記のとおり御対応をお願いします。\n\n記\n\n"
                     "１　各都道府県は、令和8年度中に避難所の運営訓練を実施すること。\n\n"
                     "附　則\n１　この要綱は、令和8年6月1日から施行する。\n"
                     "２　この要綱は、令和11年3月31日限り、その効力を失う。\n")
    texts = [m.text for m in x.measures]
    assert any("運営訓練を実施" in t for t in texts)
    assert not any("下記のとおり御対応" in t for t in texts)
    assert not any("から施行する" in t or "効力を失う" in t for t in texts)


def test_councils_by_session_and_what_is_no_organ(service, tmp_path: Path) -> None:
    """第3回…検討会 is the council (its session is no part of its name); a class of schools,
    a meeting room and a count of stations are no organs that act."""
    x = analyse_text(service, tmp_path / "doc.txt", "第3回みなと市防災情報検討会　議事概要\n\n"
                     "１．場所　みなと市役所本庁舎　第2会議室\n"
                     "２．議事概要\n"
                     "（１）みなと市防災情報検討会は、市内全小中学校への防災無線の増設について議論した。\n"
                     "（２）市は、屋外拡声子局を12局増設し、令和9年度中に運用を開始する。\n")
    agencies = {e.label for e in x.entities if e.type == "Agency" and not e.generic}
    assert "みなと市防災情報検討会" in agencies
    assert not any(a.startswith("第3回") for a in agencies)
    assert not agencies & {"市内全小中学校", "第2会議室", "屋外拡声子局", "12局"}


def test_who_leads_a_commitment(service, tmp_path: Path) -> None:
    """A sentence with no topic that names who leads it (…が中心となり, …を中心として, …・…の
    連携により) is theirs; the partners it works with are not."""
    x = analyse_text(service, tmp_path / "doc.txt", "行政手続のデジタル化の推進\n\n"
                     "　手続のオンライン化については、デジタル庁が中心となり、関係府省庁と連携して、令和9年度までに対象を拡大する。\n"
                     "　また、障害が起きた場合には、総務省を中心として速やかに関係機関と状況の共有を行う。\n"
                     "　さらに、引き続き、デジタル庁・人事院の連携により、民間人材の採用を進める。\n")
    assert _labels(x, measure_with(x, "対象を拡大")) == {"デジタル庁"}
    assert _labels(x, measure_with(x, "状況の共有")) == {"総務省"}
    assert _labels(x, measure_with(x, "民間人材の採用")) == {"デジタル庁", "人事院"}


def test_plans_stated_as_nouns_and_the_next_meeting(service, tmp_path: Path) -> None:
    """…完了する予定。 and …の収集に当たる。 commit to something; the minutes' note of when
    the next meeting is held does not."""
    x = analyse_text(service, tmp_path / "doc.txt", "第4回さくら市防災会議　議事要旨\n\n"
                     "（１）市は、災害が発生したときは、直ちに災害対策本部を設置し、被害状況の収集に当たる。\n"
                     "（２）防災無線の据付けは、令和9年12月までに完了する予定。\n\n"
                     "３．その他\n"
                     "○　次回は9月に開催し、最終取りまとめに向けた議論を行う予定。\n")
    texts = [m.text for m in x.measures]
    assert any("収集に当たる" in t for t in texts)
    assert any("完了する予定" in t for t in texts)
    assert not any("次回は9月" in t for t in texts)
