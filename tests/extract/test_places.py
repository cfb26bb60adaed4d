"""Localities resolved in the gazetteer and mapped through the 1 July 2025 reorganisation."""
from pipeline.extract import extract_text
from pipeline.extract.gazetteer import OLD, gazetteer
from pipeline.extract.places import locality, restore_name


def resolved(level, name, *context):
    """(code, old province, today's province code, today's commune) of a unit, or None."""
    g = gazetteer()
    units = [u for lvl, n in context for u in g.find(lvl, n, OLD)]
    p = g.resolve(level, name, units)
    if p is None:
        return None
    return p.unit.code, p.province_old.name if p.province_old else None, p.province.code, p.commune and str(p.commune)


def test_district_of_quang_ngai():
    assert resolved("huyện", "Bình Sơn") == ("524", "Quảng Ngãi", "51", None)


def test_district_of_another_province_goes_to_its_todays_province():
    # Bình Định merged into Gia Lai (52); Kon Tum into Quảng Ngãi (51).
    assert resolved("huyện", "Hoài Ân") == ("544", "Bình Định", "52", None)
    assert resolved("huyện", "Đắk Hà") == ("615", "Kon Tum", "51", None)


def test_level_tells_two_districts_of_one_name_apart():
    assert resolved("huyện", "Sơn Tây")[:2] == ("530", "Quảng Ngãi")
    assert resolved("thị xã", "Sơn Tây")[:2] == ("269", "Hà Nội")


def test_ambiguous_commune_is_left_unresolved():
    # 32 communes were called Tân Thành; two wards of Quảng Ngãi were called Nguyễn Nghiêm.
    assert resolved("xã", "Tân Thành") is None
    assert resolved("phường", "Nguyễn Nghiêm", ("tỉnh", "Quảng Ngãi")) is None
    assert resolved("phường", "Nguyễn Nghiêm", ("thị xã", "Đức Phổ"))[:2] == ("21439", "Quảng Ngãi")


def test_commune_is_mapped_to_todays_commune():
    assert resolved("xã", "Phổ Phong", ("thị xã", "Đức Phổ")) == ("21445", "Quảng Ngãi", "51", "xã Nguyễn Nghiêm")


def test_names_of_any_province_are_restored():
    assert restore_name("Tu Nghia", province="Quảng Ngãi") == "Tư Nghĩa"
    assert restore_name("Hoai An") == "Hoài Ân"
    assert restore_name("Gò Da") is None  # a thôn, not huyện Gò Dầu (Tây Ninh): no fuzzy match without a province
    assert restore_name("Tu Nghiaa", province="Quảng Ngãi") == "Tư Nghĩa"
    assert locality(None, "Hoai An") == "huyện Hoài Ân"
    assert locality(None, "Son Tay") is None  # huyện in Quảng Ngãi, thị xã in Hà Nội


def places(text):
    return [(c["locality"], c["locality_code"], c["province_old"], c["province"], c["province_code"], c["commune"])
            for c in extract_text(text)["counts"]]


def test_counts_carry_the_resolved_place():
    assert places("Năm 2023 huyện Bình Sơn có 3 sản phẩm đạt OCOP 3 sao trên địa bàn tỉnh Quảng Ngãi.") == [
        ("huyện Bình Sơn", "524", "Quảng Ngãi", "Quảng Ngãi", "51", None)]


def test_province_of_a_document_comes_from_its_issuer_district():
    # No "tỉnh X" in the text: the issuer's district (huyện Hoài Ân) places it in Bình Định.
    text = "ỦY BAN NHÂN DÂN\nHUYỆN HOÀI ÂN\n\nBÁO CÁO\n\nNăm 2023 toàn tỉnh có 40 sản phẩm đạt OCOP."
    assert places(text) == [("tỉnh Bình Định", "52", "Bình Định", "Gia Lai", "52", None)]


def test_commune_needs_its_district_in_the_sentence_or_document():
    assert places("Xã Tân Thành có 2 sản phẩm đạt OCOP 3 sao.") == [
        ("xã Tân Thành", None, None, None, None, None)]
    assert places("Ở thị xã Đức Phổ, xã Phổ Phong có 2 sản phẩm đạt OCOP 3 sao.")[0][:2] == ("xã Phổ Phong", "21445")
