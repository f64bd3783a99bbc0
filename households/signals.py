from django.dispatch import Signal

# Sent inside the erasure transaction with `household`; programme apps remove or anonymise
# what they hold on the household (e.g. rentals removes the resident's link and PIN).
household_erased = Signal()
