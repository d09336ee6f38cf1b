"""Demo data: the sales department of the freight forwarder «ТрансЛогистик» and two years of its work.

Every record is made by the aggregates' own methods and the domain functions the commands
use (signing a contract with its number claim, placing an order booked on its contract,
accepting a proposal into a deal, quoting a catalogue item), so the domain's rules hold
for the demo exactly as for real work; only the writing differs, in large batches. All randomness comes
from one seeded generator and the business clock is given, so one seed always yields the
same chronicle, ids included; only the recording timestamps, which the store sets, differ
between runs.

``vocabulary`` and ``people`` hold the words and the numbers; ``chronicle`` the state the
writers share; ``company`` the staff, clients and their people; ``interactions`` the
conversations; ``sales`` and ``contracts`` the sales side; ``seeding`` puts it in a store;
``version`` names what the generator writes.
"""

from letopis.demo.chronicle import DemoSize
from letopis.demo.company import STAFF_COUNT
from letopis.demo.seeding import DemoCompany, DemoSummary, Showcase, find_showcase, seed_demo
from letopis.demo.version import generator_version

__all__ = [
    "STAFF_COUNT",
    "DemoCompany",
    "DemoSize",
    "DemoSummary",
    "Showcase",
    "find_showcase",
    "generator_version",
    "seed_demo",
]
