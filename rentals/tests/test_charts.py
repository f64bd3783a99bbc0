"""The SVG charts: valid XML, accessible, one bar per value, proportional, honest about
negative values, and calm with no data. Pure functions: no database needed."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any
from unittest import TestCase

from rentals.pure import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def bars(root: ET.Element, cls: str = "bar") -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == cls]


def zero_y(root: ET.Element) -> float:
    (line,) = bars(root, "zero")
    assert line.get("y1") == line.get("y2")
    return float(line.get("y1", "nan"))


class BarChartTests(TestCase):
    def chart(self, **kwargs) -> ET.Element:
        values: dict[str, Any] = {
            "title": "Saved",
            "labels": ["a", "b", "c"],
            "values": [10, 20, 40],
            "unit": "kWh",
        }
        values.update(kwargs)
        return parse(charts.bar_chart(**values))

    def test_accessible_svg_with_data_in_words(self) -> None:
        root = self.chart(labels=["2025", "2026"], values=[Decimal("12.5"), Decimal("30")])
        self.assertEqual(root.tag, SVG + "svg")
        self.assertEqual(root.get("role"), "img")
        self.assertEqual(root.get("width"), "100%")
        self.assertEqual(root.get("viewBox"), "0 0 640 320")
        title = root.find(SVG + "title")
        desc = root.find(SVG + "desc")
        assert title is not None and desc is not None
        self.assertEqual(title.text, "Saved")
        self.assertEqual(desc.text, "2025: 12.5 kWh; 2026: 30 kWh")
        # aria-labelledby points at the title and the description.
        self.assertEqual(root.get("aria-labelledby", "").split(), [title.get("id"), desc.get("id")])
        self.assertNotIn(
            "@font-face", charts.bar_chart(title="t", labels=["a"], values=[1], unit="")
        )

    def test_one_bar_per_value_with_heights_proportional(self) -> None:
        root = self.chart()
        found = bars(root)
        self.assertEqual(len(found), 3)
        heights = [float(b.get("height", "nan")) for b in found]
        self.assertGreater(heights[0], 0)
        self.assertAlmostEqual(heights[1] / heights[0], 2, places=2)
        self.assertAlmostEqual(heights[2] / heights[0], 4, places=2)
        # Positive bars stand on the zero line.
        zero = zero_y(root)
        for bar in found:
            self.assertAlmostEqual(
                float(bar.get("y", "nan")) + float(bar.get("height", "nan")), zero, places=1
            )

    def test_negative_value_hangs_below_the_zero_line(self) -> None:
        root = self.chart(values=[30, -10, 0])
        zero = zero_y(root)
        positive, negative, nothing = bars(root)
        self.assertAlmostEqual(
            float(positive.get("y", "nan")) + float(positive.get("height", "nan")), zero, places=1
        )
        self.assertAlmostEqual(float(negative.get("y", "nan")), zero, places=1)
        self.assertGreater(float(negative.get("height", "nan")), 0)
        self.assertAlmostEqual(
            float(positive.get("height", "nan")) / float(negative.get("height", "nan")),
            3,
            places=2,
        )
        self.assertNotEqual(negative.get("fill"), positive.get("fill"))
        self.assertEqual(float(nothing.get("height", "nan")), 0)

    def test_all_negative(self) -> None:
        root = self.chart(values=[-5, -10], labels=["a", "b"])
        zero = zero_y(root)
        for bar in bars(root):
            self.assertAlmostEqual(float(bar.get("y", "nan")), zero, places=1)

    def test_empty_data_gives_a_message_not_an_error(self) -> None:
        root = parse(
            charts.bar_chart(
                title="Saved", labels=[], values=[], unit="EUR", empty_text="No figures yet"
            )
        )
        self.assertEqual(bars(root), [])
        desc = root.find(SVG + "desc")
        assert desc is not None
        self.assertEqual(desc.text, "No figures yet")
        self.assertIn("No figures yet", [el.text for el in root.iter(SVG + "text")])

    def test_all_zero_values(self) -> None:
        root = self.chart(values=[0, 0, 0])
        self.assertEqual([float(b.get("height", "nan")) for b in bars(root)], [0, 0, 0])

    def test_text_is_escaped(self) -> None:
        markup = charts.bar_chart(
            title='<script>"x" & y', labels=["<b>"], values=[1], unit="m³ & more"
        )
        root = parse(markup)
        self.assertNotIn("<script>", markup)
        title = root.find(SVG + "title")
        assert title is not None
        self.assertEqual(title.text, '<script>"x" & y')

    def test_formatter_is_used_for_values(self) -> None:
        markup = charts.bar_chart(
            title="t",
            labels=["a"],
            values=[Decimal("1234.5")],
            unit="",
            fmt=lambda v: f"€ {v:.2f}".replace(".", ","),
        )
        self.assertIn("€ 1234,50", markup)

    def test_labels_and_values_must_match(self) -> None:
        with self.assertRaises(ValueError):
            charts.bar_chart(title="t", labels=["a", "b"], values=[1], unit="")

    def test_two_charts_have_different_ids(self) -> None:
        one = parse(charts.bar_chart(title="a", labels=["x"], values=[1], unit=""))
        two = parse(charts.bar_chart(title="b", labels=["x"], values=[1], unit=""))
        self.assertNotEqual(one.get("aria-labelledby"), two.get("aria-labelledby"))


class StackedBarChartTests(TestCase):
    def test_segments_stack_to_the_total(self) -> None:
        root = parse(
            charts.stacked_bar_chart(
                title="Billed and collected",
                labels=["Jan", "Feb"],
                series=[
                    ("Collected", [Decimal("30"), Decimal("10")]),
                    ("Open", [Decimal("10"), Decimal("30")]),
                ],
                unit="EUR",
            )
        )
        segments = bars(root, "segment")
        self.assertEqual(len(segments), 4)
        zero = zero_y(root)
        jan_collected, jan_open, feb_collected, feb_open = segments
        # Each stack starts on the zero line and the open part sits on top of the collected.
        for bottom, top in ((jan_collected, jan_open), (feb_collected, feb_open)):
            self.assertAlmostEqual(
                float(bottom.get("y", "nan")) + float(bottom.get("height", "nan")),
                zero,
                places=1,
            )
            self.assertAlmostEqual(
                float(top.get("y", "nan")) + float(top.get("height", "nan")),
                float(bottom.get("y", "nan")),
                places=1,
            )
        # Both months total 40: the stacks are equally tall.
        jan = float(jan_collected.get("height", "nan")) + float(jan_open.get("height", "nan"))
        feb = float(feb_collected.get("height", "nan")) + float(feb_open.get("height", "nan"))
        self.assertAlmostEqual(jan, feb, places=1)
        self.assertAlmostEqual(
            float(jan_collected.get("height", "nan")) / float(jan_open.get("height", "nan")),
            3,
            places=2,
        )
        desc = root.find(SVG + "desc")
        assert desc is not None
        self.assertEqual(
            desc.text, "Jan: Collected 30 EUR, Open 10 EUR; Feb: Collected 10 EUR, Open 30 EUR"
        )

    def test_negative_segment_goes_down(self) -> None:
        root = parse(
            charts.stacked_bar_chart(
                title="t", labels=["a"], series=[("up", [5]), ("down", [-5])], unit=""
            )
        )
        zero = zero_y(root)
        up, down = bars(root, "segment")
        self.assertAlmostEqual(float(down.get("y", "nan")), zero, places=1)
        self.assertLess(float(up.get("y", "nan")), zero)

    def test_empty(self) -> None:
        root = parse(charts.stacked_bar_chart(title="t", labels=[], series=[], unit=""))
        self.assertEqual(bars(root, "segment"), [])

    def test_series_length_checked(self) -> None:
        with self.assertRaises(ValueError):
            charts.stacked_bar_chart(title="t", labels=["a"], series=[("s", [1, 2])], unit="")


class GroupedBarChartTests(TestCase):
    def test_bars_side_by_side_from_the_zero_line(self) -> None:
        root = parse(
            charts.grouped_bar_chart(
                title="Charged and collected",
                labels=["Jan", "Feb"],
                series=[("Charged", [40, 40]), ("Collected", [20, -10])],
                unit="EUR",
            )
        )
        found = bars(root)
        self.assertEqual(len(found), 4)
        zero = zero_y(root)
        jan_charged, jan_collected, feb_charged, feb_collected = found
        self.assertAlmostEqual(
            float(jan_charged.get("height", "nan")) / float(jan_collected.get("height", "nan")),
            2,
            places=2,
        )
        # Side by side: the second bar starts where the first ends.
        self.assertAlmostEqual(
            float(jan_charged.get("x", "nan")) + float(jan_charged.get("width", "nan")),
            float(jan_collected.get("x", "nan")),
            places=1,
        )
        self.assertAlmostEqual(float(feb_collected.get("y", "nan")), zero, places=1)
        self.assertEqual(feb_charged.get("data-series"), "Charged")
        desc = root.find(SVG + "desc")
        assert desc is not None
        self.assertEqual(
            desc.text,
            "Jan: Charged 40 EUR, Collected 20 EUR; Feb: Charged 40 EUR, Collected -10 EUR",
        )

    def test_empty(self) -> None:
        root = parse(charts.grouped_bar_chart(title="t", labels=[], series=[], unit=""))
        self.assertEqual(bars(root), [])


class StatusChartTests(TestCase):
    def test_status_bars_one_per_item_proportional(self) -> None:
        root = parse(
            charts.status_bars(
                title="Appliances by status", items=[("In stock", 5), ("Installed", 20)]
            )
        )
        found = bars(root)
        self.assertEqual(len(found), 2)
        widths = [float(b.get("width", "nan")) for b in found]
        self.assertAlmostEqual(widths[1] / widths[0], 4, places=2)
        desc = root.find(SVG + "desc")
        assert desc is not None
        self.assertEqual(desc.text, "In stock: 5; Installed: 20")

    def test_status_bars_empty(self) -> None:
        root = parse(charts.status_bars(title="t", items=[], empty_text="Nothing"))
        self.assertEqual(bars(root), [])

    def test_donut_one_slice_per_nonzero_item(self) -> None:
        root = parse(charts.donut_chart(title="t", items=[("a", 1), ("b", 3), ("c", 0)]))
        self.assertEqual(len(bars(root, "slice")), 2)
        root = parse(charts.donut_chart(title="t", items=[("a", 2)]))
        (whole,) = bars(root, "slice")
        self.assertEqual(whole.tag, SVG + "circle")

    def test_donut_empty(self) -> None:
        root = parse(charts.donut_chart(title="t", items=[("a", 0)], empty_text="None"))
        self.assertEqual(bars(root, "slice"), [])
