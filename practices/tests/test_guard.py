from practices.pure import guard


def test_a_clean_set_up_passes():
    data = {
        "kind": "appliance_rental",
        "tariffs": [{"water": "5.30"}],
        "parts": {"rentals": {"offers": [{"category": "fridge"}]}},
        "n": 3,
        "ok": True,
        "none": None,
    }
    assert guard.package_problems(data) == []


def test_personal_keys_values_and_code_are_found_with_their_place():
    data = {
        "parts": {"x": {"households": []}},
        "description": "Mail us at a@b.be",
        "note": "IBAN BE71 0961 2345 6769",
        "phone_like": "bel +32 470 12 34 56",
        "html": "<script>x</script>",
        "tpl": "{{ secret }}",
        "handler": "<a onclick = 'x'>",
        "deep": [[[[[[[[[[[[[["x"]]]]]]]]]]]]]],
    }
    found = dict(guard.package_problems(data))
    assert found["parts.x.households"] == guard.PERSONAL_KEY
    assert found["description"] == guard.PERSONAL_VALUE
    assert found["note"] == guard.PERSONAL_VALUE
    assert found["phone_like"] == guard.PERSONAL_VALUE
    assert found["html"] == guard.CODE_VALUE
    assert found["tpl"] == guard.CODE_VALUE
    assert found["handler"] == guard.CODE_VALUE
    assert guard.TOO_DEEP in found.values()


def test_ordinary_words_are_not_code():
    assert guard.package_problems({"text": "Energy consumption = lower bills; CO2 per kWh"}) == []


def test_not_an_object_is_refused():
    assert guard.package_problems([1]) == [("", guard.WRONG_TYPE)]


def test_the_job_bureau_and_energy_sharing_people_and_meters_are_found():
    data = {
        "parts": {
            "jobs": {"workers": [{"first_name": "Wout"}], "services": [{"name": "Tuinwerk"}]},
            "sharing": {"participants": [], "keys": [{"preset": "relative"}]},
        },
        "note": "meter 541448820000000017",
        "number": 871234567890123456,
        "not_an_ean": "order 123456789012345678",
    }
    found = dict(guard.package_problems(data))
    assert found["parts.jobs.workers"] == guard.PERSONAL_KEY
    assert found["parts.sharing.participants"] == guard.PERSONAL_KEY
    assert found["note"] == guard.PERSONAL_VALUE
    assert found["number"] == guard.PERSONAL_VALUE
    assert "not_an_ean" not in found
    assert "parts.jobs.services[0].name" not in found
