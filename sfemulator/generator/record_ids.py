"""Record ids for the generated org: one running number per key prefix, starting where a seed says.

Real ids grow roughly sequentially within a pod; starting each prefix at a seeded offset in the millions
makes the ids look lived-in and mixes upper and lower case, so the checksum suffix varies.

A large org needs millions of ids, so the allocator builds them from precomputed two-digit pieces
instead of calling ``make_id`` each time; tests check both give the same ids.
"""

from random import Random

from sfemulator.sfids import make_id

KEY_PREFIXES = {
    "Organization": "00D",
    "User": "005",
    "UserRole": "00E",
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "Product2": "01t",
    "Pricebook2": "01s",
    "PricebookEntry": "01u",
    "OpportunityLineItem": "00k",
    "OpportunityContactRole": "00K",
    "Task": "00T",
    "Event": "00U",
    "Period": "026",
    "ForecastingType": "0Db",
    "ForecastingQuota": "0J9",
}

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_UPPER = [1 if "A" <= char <= "Z" else 0 for char in _BASE62]
_PAIR_TEXT = [a + b for a in _BASE62 for b in _BASE62]
_PAIR_UPPER = [_UPPER[i] | _UPPER[j] << 1 for i in range(62) for j in range(62)]
_LOW = 62**5  # the last five digits form the id's third checksum chunk


class _Counter:
    """Ids of one prefix: ``prefix + pod + "0"`` then nine base-62 digits, plus the checksum suffix."""

    __slots__ = ("first", "head", "high", "middle", "number", "second")

    def __init__(self, prefix: str, pod: str, number: int) -> None:
        start = make_id(prefix, number, pod)
        self.head = start[:6]
        self.first = start[15]  # chunk 1 is prefix + pod: fixed
        self.number = number
        self.high = -1
        self.middle = ""  # digits 1-4, which with the pod's "0" form chunk 2
        self.second = ""  # chunk 2's suffix character

    def next(self) -> str:
        number = self.number
        self.number = number + 1
        high, low = divmod(number, _LOW)
        if high != self.high:
            digits = make_id("000", high * _LOW, "00")[6:10]
            flags = sum(_UPPER[_BASE62.index(char)] << (position + 1) for position, char in enumerate(digits))
            self.high, self.middle, self.second = high, digits, _SUFFIX[flags]
        top, rest = divmod(low, 3844 * 3844)
        left, right = divmod(rest, 3844)
        flags = _UPPER[top] | _PAIR_UPPER[left] << 1 | _PAIR_UPPER[right] << 3
        return (
            self.head + self.middle + _BASE62[top] + _PAIR_TEXT[left] + _PAIR_TEXT[right]
            + self.first + self.second + _SUFFIX[flags]
        )  # fmt: skip


class IdAllocator:
    """Hands out fresh 18-character ids per object; deterministic for a seed and a call order."""

    def __init__(self, seed: int, pod: str = "5g") -> None:
        self._seed = seed
        self._pod = pod
        self._counters: dict[str, _Counter] = {}

    def new(self, sobject: str) -> str:
        counter = self._counters.get(sobject)
        if counter is None:
            prefix = KEY_PREFIXES[sobject]
            start = Random(f"{self._seed}:ids:{prefix}").randrange(62**5, 62**6)
            counter = self._counters[sobject] = _Counter(prefix, self._pod, start)
        return counter.next()
