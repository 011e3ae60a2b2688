"""The coherent world rows are drawn from: places (countries, regions, cities, postcodes, phone
numbering), people (names to e-mails, home language and currency), money (tax by jurisdiction, prices
per currency), the catalogue grammar and text grammars. Reference data lives in `data/` with its public
sources named in each file; nothing is downloaded at run time.

Everything here is a pure function of its inputs: an address is a function of (seed, person, index),
so rows stay the same whichever process or block makes them (tools/seeds.py).
"""
