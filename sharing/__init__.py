"""Energy sharing in the neighbourhood (issue 10).

So far only the pure parts: the allocation engine (`sharing.allocation`) and the meter-data
parser (`sharing.meterdata`); `sharing.messages` holds the translatable texts of the parser's
error codes. None of them is a Django app yet.
"""
