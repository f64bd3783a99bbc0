"""The shared partials of templates/partials/ as rentals pages use them."""

from django import forms
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory, SimpleTestCase
from django.utils import translation


class PaginationPartialTest(SimpleTestCase):
    def render(self, url: str, number: int, **extra) -> str:
        page = Paginator(list(range(250)), 100).get_page(number)
        request = RequestFactory().get(url)
        with translation.override("en"):
            return render_to_string(
                "partials/pagination.html", {"page": page, **extra}, request=request
            )

    def test_links_keep_the_filters_and_replace_the_page(self) -> None:
        html = self.render("/rentals/programmes/1/units/?status=in_stock&q=W-0&page=2", 2)
        self.assertIn('href="?status=in_stock&amp;q=W-0&amp;page=1"', html)
        self.assertIn('href="?status=in_stock&amp;q=W-0&amp;page=3"', html)
        self.assertIn("Page 2 of 3", html)

    def test_first_page_has_no_previous_and_labels_and_anchor_can_be_given(self) -> None:
        html = self.render("/x/", 1, anchor="#charges", next_label="Older months")
        self.assertNotIn('rel="prev"', html)
        self.assertIn('href="?page=2#charges">Older months</a>', html)

    def test_one_page_shows_nothing(self) -> None:
        page = Paginator([1, 2], 100).get_page(1)
        html = render_to_string(
            "partials/pagination.html", {"page": page}, request=RequestFactory().get("/")
        )
        self.assertEqual(html.strip(), "")


class FormPartialTest(SimpleTestCase):
    def test_errors_on_top_and_every_field_with_its_error(self) -> None:
        class Form(forms.Form):
            amount = forms.DecimalField(label="Amount")
            note = forms.CharField(label="Note", required=False)

        form = Form(data={"amount": "abc"})
        with translation.override("en"):
            html = render_to_string("partials/form_fields.html", {"form": form})
        self.assertIn('role="alert"', html)
        self.assertIn("Nothing was saved", html)
        self.assertIn('class="field field-error"', html)
        self.assertIn("Enter a number.", html)
        self.assertIn('for="id_note"', html)
        self.assertLess(html.index("Nothing was saved"), html.index('for="id_amount"'))
