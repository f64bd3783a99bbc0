"""A small XML Schema check for the ISO 20022 schemas: enough of XSD for pain.008.001.02.

The schema itself is the ISO one that `sepaxml` ships (sepaxml/schemas/). No XSD library is a
dependency (lxml, xmlschema), so this covers what those schemas use: element sequences and
choices with minOccurs/maxOccurs, simple content with attributes, and the facets
minLength/maxLength, pattern, enumeration, totalDigits, fractionDigits, minInclusive on
string, decimal, date, dateTime and boolean. Unknown constructs fail loudly.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib.resources import files

XS = "{http://www.w3.org/2001/XMLSchema}"


def sepaxml_schema(name: str) -> ET.Element:
    return ET.fromstring((files("sepaxml") / "schemas" / f"{name}.xsd").read_bytes())


@dataclass
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class Schema:
    def __init__(self, root: ET.Element) -> None:
        self.ns = root.get("targetNamespace", "")
        self.complex = {t.get("name"): t for t in root.findall(f"{XS}complexType")}
        self.simple = {t.get("name"): t for t in root.findall(f"{XS}simpleType")}
        self.elements = {e.get("name"): e.get("type") for e in root.findall(f"{XS}element")}

    def validate(self, document: ET.Element) -> list[Problem]:
        problems: list[Problem] = []
        name = self._local(document.tag, "/", problems)
        if name not in self.elements:
            return [Problem("/", f"unknown root element {document.tag}")]
        self._element(document, self.elements[name] or "", f"/{name}", problems)
        return problems

    def _local(self, tag: str, path: str, problems: list[Problem]) -> str:
        ns, _, local = tag[1:].partition("}")
        if ns != self.ns:
            problems.append(Problem(path, f"namespace {ns!r} is not {self.ns!r}"))
        return local

    def _element(self, element: ET.Element, type_name: str, path: str, out: list[Problem]) -> None:
        if type_name in self.complex:
            definition = self.complex[type_name]
            content = definition.find(f"{XS}simpleContent")
            if content is not None:
                extension = content.find(f"{XS}extension")
                if extension is None:
                    raise NotImplementedError(f"simpleContent without extension in {type_name}")
                for attribute in extension.findall(f"{XS}attribute"):
                    value = element.get(attribute.get("name", ""))
                    if value is None:
                        if attribute.get("use") == "required":
                            out.append(Problem(path, f"attribute {attribute.get('name')} missing"))
                    else:
                        self._text(value, attribute.get("type", ""), f"{path}@", out)
                self._text(element.text or "", extension.get("base", ""), path, out)
                return
            if (element.text or "").strip():
                out.append(Problem(path, "text in an element that holds elements"))
            model = [c for c in definition if c.tag in (f"{XS}sequence", f"{XS}choice")]
            children = list(element)
            index = self._match(model[0], children, 0, path, out) if model else 0
            if index < len(children):
                out.append(Problem(path, f"unexpected element {children[index].tag}"))
            return
        self._text(element.text or "", type_name, path, out)

    def _occurs(self, node: ET.Element) -> tuple[int, float]:
        high = node.get("maxOccurs", "1")
        return int(node.get("minOccurs", "1")), float("inf") if high == "unbounded" else int(high)

    def _match(
        self,
        node: ET.Element,
        children: list[ET.Element],
        index: int,
        path: str,
        out: list[Problem],
    ) -> int:
        """Consume the children that `node` (element, sequence or choice) matches from index;
        problems for what is missing. Returns the index after them."""
        low, high = self._occurs(node)
        count = 0
        while count < high:
            start = index
            if node.tag == f"{XS}element":
                if (
                    index < len(children)
                    and children[index].tag == f"{{{self.ns}}}{node.get('name')}"
                ):
                    child_path = f"{path}/{node.get('name')}"
                    self._element(children[index], node.get("type", ""), child_path, out)
                    index += 1
            elif node.tag == f"{XS}sequence":
                trial: list[Problem] = []
                after = index
                for item in node:
                    after = self._match(item, children, after, path, trial)
                if after > index or not trial:
                    out.extend(trial)
                    index = after
            elif node.tag == f"{XS}choice":
                for option in node:
                    trial = []
                    after = self._match(option, children, index, path, trial)
                    if after > index:
                        out.extend(trial)
                        index = after
                        break
            else:
                raise NotImplementedError(node.tag)
            if index == start:
                break
            count += 1
        if count < low and not (
            node.tag == f"{XS}sequence" and count == 0 and self._empty_ok(node)
        ):
            out.append(Problem(path, f"missing {self._describe(node)}"))
        return index

    def _empty_ok(self, sequence: ET.Element) -> bool:
        return all(self._occurs(item)[0] == 0 for item in sequence)

    def _describe(self, node: ET.Element) -> str:
        if node.tag == f"{XS}element":
            return str(node.get("name"))
        return " or ".join(self._describe(item) for item in node)

    def _text(self, value: str, type_name: str, path: str, out: list[Problem]) -> None:
        facets: list[ET.Element] = []
        base = type_name
        while base in self.simple:
            restriction = self.simple[base].find(f"{XS}restriction")
            if restriction is None:
                raise NotImplementedError(f"simpleType {base} without restriction")
            facets.extend(restriction)
            base = restriction.get("base", "")
        problem = self._facets(value, base, facets)
        if problem:
            out.append(Problem(path, f"{value!r} is not a {type_name}: {problem}"))

    def _facets(self, value: str, base: str, facets: list[ET.Element]) -> str:
        number: Decimal | None = None
        if base == "xs:decimal":
            try:
                number = Decimal(value)
            except InvalidOperation:
                return "not a decimal"
        elif base == "xs:date":
            try:
                date.fromisoformat(value)
            except ValueError:
                return "not a date"
        elif base == "xs:dateTime":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                return "not a date and time"
        elif base == "xs:boolean":
            if value not in ("true", "false", "1", "0"):
                return "not a boolean"
        elif base != "xs:string":
            raise NotImplementedError(base)
        enumeration = [f.get("value") for f in facets if f.tag == f"{XS}enumeration"]
        if enumeration and value not in enumeration:
            return f"not one of {enumeration}"
        for facet in facets:
            kind, limit = facet.tag.removeprefix(XS), facet.get("value", "")
            if kind == "minLength" and len(value) < int(limit):
                return f"shorter than {limit}"
            if kind == "maxLength" and len(value) > int(limit):
                return f"longer than {limit}"
            if kind == "pattern" and not re.fullmatch(limit, value):
                return f"does not match {limit}"
            if number is not None:
                digits = number.as_tuple()
                exponent = int(digits.exponent)
                if kind == "fractionDigits" and -exponent > int(limit):
                    return f"more than {limit} decimals"
                if kind == "totalDigits" and len(digits.digits) > int(limit):
                    return f"more than {limit} digits"
                if kind == "minInclusive" and number < Decimal(limit):
                    return f"below {limit}"
        return ""
