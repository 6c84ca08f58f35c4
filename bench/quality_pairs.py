#!/usr/bin/env python3
"""quality_pairs.py: builds the labelled name-pair set of bench/quality.

Every pair is made by a rule from the real lists in data/ (OFAC SDN names and
aliases, UN consolidated list with original-script names) and the
transliteration tables in data/variants/ (Wikidata, Google ar2en), never
picked by hand.  Output bench/data/pairs.tsv:
    kind <TAB> label <TAB> query <TAB> listed
label 1 = same name (a variation of the listed name), 0 = different name
that shares tokens with it (hard negative).  And bench/data/list_names.txt:
the list names the benchmark counts token statistics over.
Deterministic (fixed seed).  Run from the repository root:
    python3 bench/quality_pairs.py
"""
import csv
import difflib
import random
import re
import unicodedata
import xml.etree.ElementTree as ET

import yaml

rng = random.Random(20240503)
PER_KIND = 250


def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def words(s):
    return re.findall(r"[a-z0-9]+", fold(s))


# ---------------------------------------------------------------- sources
def read_sdn():
    out = []
    with open("data/ofac/2024-05-03/sdn.csv", encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 3 or not row[1].strip() or row[1].strip() == "-0-":
                continue
            kind = row[2].strip()
            kind = {"individual": "person", "-0-": "org"}.get(kind, kind)
            out.append((int(row[0]), row[1].strip(), kind))
    return out


def read_aliases():
    out = {}
    with open("data/ofac/2024-09/alt.csv", encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.DictReader(f):
            try:
                out.setdefault(int(row["ent_num"]), []).append(row["alt_name"].strip())
            except (ValueError, KeyError):
                pass
    return out


def read_un():
    """(latin name, original-script name, kind) of the UN list."""
    root = ET.parse("data/un/consolidated-2018-10-29.xml").getroot()
    out = []
    for tag, kind in (("INDIVIDUAL", "person"), ("ENTITY", "org")):
        for e in root.iter(tag):
            parts = [(e.findtext(t) or "").strip() for t in
                     ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            latin = " ".join(p for p in parts if p)
            orig = (e.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
            if latin and orig:
                out.append((latin, orig, kind))
    return out


def read_wikidata(lang, min_count=2):
    out = []
    with open("data/variants/wikidata_translit/wd_%s_80" % lang, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) == 3 and int(p[2]) >= min_count and p[0].isalpha():
                out.append((p[0], p[1].replace(" ", "")))
    return out


def read_ar2en():
    out = []
    with open("data/variants/google_ar2en.txt", encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) == 2 and p[1].isalpha() and len(p[1]) >= 3:
                out.append((p[1], p[0]))	# (latin, arabic script)
    return out


def legal_form_aliases():
    data = yaml.safe_load(open("data/reference/org_types.yml", encoding="utf-8"))
    groups = []
    for t in data["types"]:
        al = [a for a in t.get("aliases", []) if a.isascii()]
        if t.get("display") and t["display"].isascii():
            al.append(t["display"])
        al = sorted(set(al))
        if len(al) >= 2:
            groups.append(al)
    return groups


# ---------------------------------------------------------------- helpers
def person_tokens(name):
    """'LAST, First Middle' -> (given tokens, surname tokens) in list spelling."""
    if "," in name:
        last, given = name.split(",", 1)
        return given.split(), last.split()
    t = name.split()
    return t[:-1], t[-1:]


def alpha(tok, n=2):
    return tok.isalpha() and len(tok) >= n


def typo(tok):
    """One edit (tokens of 5-8 letters) or two (9 and more), by rule."""
    edits = 1 if len(tok) <= 8 else 2
    t = list(tok.lower())
    for _ in range(edits):
        op = rng.choice("sidt")
        i = rng.randrange(1, len(t) - 1)
        if op == "s":
            t[i] = rng.choice([c for c in "aeioubdgklmnrst" if c != t[i]])
        elif op == "i":
            t.insert(i, rng.choice("aeioubdgklmnrst"))
        elif op == "d":
            del t[i]
        elif i + 1 < len(t):
            t[i], t[i + 1] = t[i + 1], t[i]
    return "".join(t)


# Common alternations of romanized Arabic / Persian / Russian names.
TRANSLIT_RULES = [
    ("ou", "u"), ("u", "ou"), ("ee", "i"), ("i", "ee"), ("q", "k"), ("k", "q"),
    ("q", "g"), ("dh", "d"), ("kh", "h"), ("y", "i"), ("ai", "ay"), ("ay", "ai"),
    ("aa", "a"), ("ss", "s"), ("mm", "m"), ("dd", "d"), ("ph", "f"), ("ie", "iye"),
    ("iy", "i"), ("ev", "yev"), ("ya", "ia"), ("yu", "iu"), ("ts", "tz"), ("w", "v"),
    ("e", "a"), ("o", "u"), ("j", "dj"), ("sh", "sch"), ("zh", "j"),
]


def translit(tok):
    low = tok.lower()
    rules = [r for r in TRANSLIT_RULES if r[0] in low[1:]]
    if not rules:
        return None
    a, b = rng.choice(rules)
    i = low.index(a, 1)
    return low[:i] + b + low[i + len(a):]


PINYIN_INITIALS = ["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k",
                   "h", "j", "q", "x", "r", "z", "c", "s", "y", "w", ""]
PINYIN_FINALS = ["iang", "iong", "uang", "ang", "eng", "ing", "ong", "ian", "iao", "uai",
                 "uan", "ai", "ei", "ao", "ou", "an", "en", "in", "un", "ia", "ie", "iu",
                 "ua", "uo", "ue", "ui", "er", "a", "o", "e", "i", "u", "v"]
PINYIN = {i + f for i in PINYIN_INITIALS for f in PINYIN_FINALS
          if f != "er" and f != "v"} | {"er"}
KOREAN_SYLLABLES = {i + f for i in ["k", "g", "kk", "n", "d", "t", "r", "l", "m", "b", "p",
                                     "s", "ss", "j", "ch", "h", "y", "w", ""]
                    for f in ["a", "ae", "ya", "eo", "e", "yeo", "ye", "o", "wa", "oe", "yo",
                              "u", "wo", "wi", "yu", "eu", "ui", "i", "ang", "eong", "ong",
                              "ung", "yong", "in", "im", "an", "un", "eun", "ok", "ak", "il",
                              "yun", "won", "yeong", "ee", "oo", "um", "eum", "ook", "yung",
                              "uk", "ik", "ul", "al", "am", "on", "en", "yoon", "oon", "ah"]}


def syllable_count_matches(word, syllables, count, maxlen=6):
    """Can word be cut into exactly count syllables of the inventory?"""
    reach = [set() for _ in range(len(word) + 1)]
    reach[0].add(0)
    for i in range(1, len(word) + 1):
        for k in range(1, min(i, maxlen) + 1):
            if reach[i - k] and word[i - k:i] in syllables:
                reach[i].update(c + 1 for c in reach[i - k] if c < count)
    return count in reach[len(word)]


# ---------------------------------------------------------------- build
pairs = []


def add(kind, label, q, l):
    q, l = " ".join(q.split()), " ".join(l.split())
    if q and l and "\t" not in q + l:
        pairs.append((kind, label, q, l))


def take(kind, label, items):
    items = list(items)
    rng.shuffle(items)
    for q, l in items[:PER_KIND]:
        add(kind, label, q, l)


sdn = read_sdn()
aliases = read_aliases()
un = read_un()
persons = [(e, n) for e, n, k in sdn if k == "person" and "," in n]
orgs = [(e, n) for e, n, k in sdn if k == "org"]
generic = set()
for g in legal_form_aliases():
    for a in g:
        generic.update(words(a))

# reorder: tokens of a listed name in another order
items = []
for e, n in persons:
    given, last = person_tokens(n)
    toks = given + last
    if len(toks) >= 2:
        perm = toks[:]
        while perm == given + last or perm == toks and len(set(toks)) > 1:
            rng.shuffle(perm)
            if len(set(toks)) == 1:
                break
        items.append((" ".join(perm), n))
take("reorder", 1, items)

# split/join: two tokens written as one, or one long token cut in two
items = []
for e, n in persons + orgs:
    toks = n.replace(",", "").split()
    joinable = [i for i in range(len(toks) - 1) if alpha(toks[i]) and alpha(toks[i + 1])]
    long = [i for i, t in enumerate(toks) if alpha(t, 8)]
    if joinable and (rng.random() < 0.5 or not long):
        i = rng.choice(joinable)
        q = toks[:i] + [toks[i] + toks[i + 1]] + toks[i + 2:]
    elif long:
        i = rng.choice(long)
        c = rng.randrange(3, len(toks[i]) - 2)
        q = toks[:i] + [toks[i][:c], toks[i][c:]] + toks[i + 1:]
    else:
        continue
    items.append((" ".join(q), n))
take("split_join", 1, items)

# typo: edits scaled to token length (1 edit in 5-8 letters, 2 in longer)
items = []
for e, n in persons + orgs:
    toks = n.replace(",", "").split()
    cand = [i for i, t in enumerate(toks) if alpha(t, 5) and t.lower() not in generic]
    if cand:
        i = rng.choice(cand)
        items.append((" ".join(toks[:i] + [typo(toks[i])] + toks[i + 1:]), n))
take("typo", 1, items)

# transliteration by rule: a common romanization alternation in one token
items = []
for e, n in persons:
    toks = n.replace(",", "").split()
    cand = [i for i, t in enumerate(toks) if alpha(t, 4)]
    rng.shuffle(cand)
    for i in cand:
        t = translit(toks[i])
        if t and t != toks[i].lower():
            items.append((" ".join(toks[:i] + [t] + toks[i + 1:]), n))
            break
take("translit_rule", 1, items)

# transliteration as listed: OFAC aliases that respell the primary name
# (same token count, tokens pairwise with the same first sound and a
# difflib ratio >= 0.6, not all equal)
items = []
FIRST = str.maketrans("qgcwy", "kkkvi")
for e, n, k in sdn:
    if k != "person" or e not in aliases:
        continue
    pt = sorted(words(n))
    for a in aliases[e]:
        at = sorted(words(a))
        if len(at) != len(pt) or at == pt or len(pt) < 2:
            continue
        if all((x[0].translate(FIRST) == y[0].translate(FIRST) or
                (x[0] in "aeiouy" and y[0] in "aeiouy")) and
               difflib.SequenceMatcher(None, x, y).ratio() >= 0.6 for x, y in zip(at, pt)):
            items.append((a, n))
take("translit_alias", 1, items)

# initials: a given name of a person with 3+ tokens written as its initial
items = []
for e, n in persons:
    given, last = person_tokens(n)
    if len(given) + len(last) >= 3 and given and alpha(given[0]):
        i = rng.randrange(len(given))
        if alpha(given[i]):
            g = given[:i] + [given[i][0] + "."] + given[i + 1:]
            items.append((" ".join(g + last), n))
take("initials", 1, items)

# missing middle name: a person with 2+ given names, one after the first dropped
items = []
for e, n in persons:
    given, last = person_tokens(n)
    if len(given) >= 2:
        i = rng.randrange(1, len(given))
        items.append((" ".join(given[:i] + given[i + 1:] + last), n))
take("missing_middle", 1, items)

# legal form respelled: the legal form of an org replaced by another alias
items = []
groups = legal_form_aliases()
by_alias = {}
for g in groups:
    for a in g:
        by_alias.setdefault(" ".join(words(a)), g)
for e, n in orgs:
    w = words(n)
    for k in (3, 2, 1):
        if len(w) > k and " ".join(w[-k:]) in by_alias:
            g = by_alias[" ".join(w[-k:])]
            other = rng.choice([a for a in g if " ".join(words(a)) != " ".join(w[-k:])])
            items.append((" ".join(w[:-k]) + " " + other, n))
            break
take("legal_form", 1, items)

# non-Latin script: the UN list's original-script names of persons vs their
# Latin names (entities' original names are translations, not spellings)
items = [(orig, latin) for latin, orig, kind in un
         if kind == "person" and any("\u0600" <= c <= "\u06ff" for c in orig)]
take("script_arabic_un", 1, items)


def combos(table, n, sep=" "):
    out = []
    for _ in range(n):
        a, b = rng.sample(table, 2)
        out.append((a[1] + sep + b[1], a[0] + " " + b[0]))
    return out


russian = read_wikidata("russian")
# Han and Hangul: only names whose Latin form reads as one romanized syllable
# per character.  Wikidata's names here are mostly foreign names transcribed
# into Han / Hangul (Waisbren -> 維斯伯恩), which this keeps only when the
# transcription is syllable for syllable; they stay the hardest kinds.
chinese = [(e, n) for e, n in read_wikidata("chinese")
           if syllable_count_matches(e, PINYIN, len(n))]
korean = [(e, n) for e, n in read_wikidata("korean")
          if syllable_count_matches(e, KOREAN_SYLLABLES, len(n))]
arabic = read_ar2en()
take("script_cyrillic", 1, combos(russian, PER_KIND))
take("script_han", 1, combos(chinese, PER_KIND, ""))
take("script_hangul", 1, combos(korean, PER_KIND))
take("script_arabic_ar2en", 1, combos(arabic, PER_KIND))

# several at once: reorder + typo + (initial or dropped middle name)
items = []
for e, n in persons:
    given, last = person_tokens(n)
    toks = given + last
    cand = [i for i, t in enumerate(toks) if alpha(t, 6)]
    if len(toks) < 3 or not cand:
        continue
    i = rng.choice(cand)
    toks[i] = typo(toks[i])
    if len(given) >= 2:
        j = rng.randrange(1, len(given))
        if j != i:
            del toks[j]
    rng.shuffle(toks)
    items.append((" ".join(toks), n))
take("combined", 1, items)

# ---- hard negatives
# same surname, other given names: two different listed persons
by_last = {}
for e, n in persons:
    given, last = person_tokens(n)
    by_last.setdefault(" ".join(words(" ".join(last))), []).append((e, n))
items = []
for k, group in by_last.items():
    for (e1, n1), (e2, n2) in zip(group, group[1:]):
        g1 = set(words(n1)) - set(words(k))
        g2 = set(words(n2)) - set(words(k))
        if g1 and g2 and not (g1 & g2):
            items.append((n1, n2))
take("neg_same_surname", 0, items)

# one given name replaced by another person's given name (KIM Jong Un / Man)
given_pool = [g for e, n in persons for g in person_tokens(n)[0] if alpha(g, 2)]
items = []
for e, n in persons:
    given, last = person_tokens(n)
    if len(given) + len(last) >= 2 and given:
        i = rng.randrange(len(given))
        other = rng.choice(given_pool)
        if other.lower() != given[i].lower() and other.lower()[:3] != given[i].lower()[:3]:
            items.append((" ".join(given[:i] + [other] + given[i + 1:] + last), n))
take("neg_given_swap", 0, items)

# organizations sharing words (city, generic words) but not their distinctive ones
items = []
by_word = {}
for e, n in orgs:
    for w in set(words(n)) - generic:
        by_word.setdefault(w, []).append(n)
for w, group in by_word.items():
    if 2 <= len(group) <= 40:
        a, b = rng.sample(group, 2)
        sa, sb = set(words(a)) - generic, set(words(b)) - generic
        if not (sa <= sb or sb <= sa) and len(sa - sb) >= 1 and len(sb - sa) >= 1:
            items.append((a, b))
take("neg_shared_words_org", 0, items)

# numbers that differ
items = []
for e, n, k in sdn:
    toks = n.split()
    nums = [i for i, t in enumerate(toks) if t.isdigit()]
    if nums:
        i = rng.choice(nums)
        new = str(int(toks[i]) + rng.choice([1, 2, 3, 10]))
        items.append((" ".join(toks[:i] + [new] + toks[i + 1:]), n))
take("neg_number", 0, items)

# non-Latin script name of one person vs another sharing one token
def neg_script(table, n, sep=" "):
    out = []
    for _ in range(n):
        a, b, c = rng.sample(table, 3)
        if a[0][:3] != c[0][:3] and b[0][:3] != c[0][:3]:
            out.append((a[1] + sep + b[1], a[0] + " " + c[0]))
    return out


take("neg_script_cyrillic", 0, neg_script(russian, PER_KIND))
take("neg_script_arabic_ar2en", 0, neg_script(arabic, PER_KIND))

with open("bench/data/pairs.tsv", "w", encoding="utf-8") as f:
    f.write("kind\tlabel\tquery\tlisted\n")
    for p in pairs:
        f.write("%s\t%d\t%s\t%s\n" % p)

names = {n for e, n, k in sdn} | {a for al in aliases.values() for a in al}
with open("bench/data/list_names.txt", "w", encoding="utf-8") as f:
    for n in sorted(names):
        if "\t" not in n and "\\" not in n:
            f.write(n + "\n")
