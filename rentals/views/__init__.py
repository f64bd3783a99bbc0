"""Pages of appliance rental, thin: they read through rentals.selectors, write through
rentals.services and render one template per page (with named partials for HTMX).

- `pages`: the programme's rental pages (catalogue, units, waiting list, contracts, visits,
  tickets), mounted by rentals/urls.py at /rentals/
- `collection`: billing, payments, bank files and the dashboard, rentals/collection_urls.py at
  /rentals/collection/
- `resident`: the resident's page with a link and a PIN, rentals/resident_urls.py at /r/
"""
