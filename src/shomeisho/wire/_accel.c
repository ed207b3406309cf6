/*
 * Optional C accelerator for the two wire steps of DCC verification that Python cannot make
 * cheap: base45 (RFC 9285) and strict CBOR (RFC 8949) decoding of plain data.
 *
 * Why C: once everything else was fast, these two were most of the Python work around the
 * ECDSA verification (measured with callgrind for one 570-character HC1 text: base45 about
 * 56,000 instructions, the strict CWT decode about 70,000 (cbor2 reads through a Python stream,
 * one method call per item), against 860,000 for ECDSA P-256 verify itself). Here they take a
 * few thousand each. The module is built when a C compiler is present (a setuptools optional
 * extension, see setup.py); without it the pure-Python paths are used, so nothing depends on it
 * for correctness.
 *
 * Both functions answer only when they are sure, and return None otherwise; the Python code
 * then runs its general path, which produces the error that names the problem. Tests compare
 * both functions with the Python decoders on random input and on every corpus file.
 *
 *   base45_decode(text: str) -> bytes | None
 *       None: non-ASCII text, a character outside the alphabet, a group above 65535 or a final
 *       pair above 255, a length of 3n+1, more than 64 KiB.
 *   cbor_decode(data: bytes, max_depth: int) -> tuple[object] | None
 *       A 1-tuple holding the one CBOR item that fills data exactly, decoded as cbor2 does
 *       (int, bytes, str, list, dict, bool, None). None for anything outside that plain subset
 *       (tags, floats, undefined and other simple values, indefinite lengths, map keys that
 *       are arrays or maps), invalid UTF-8, a duplicate map key, nesting deeper than max_depth
 *       (containers count one level each; capped at 64), a length that runs past the
 *       end, and trailing bytes. Every read is bounds-checked against the end of data.
 *
 * Added once those two were done, for the Python work that was left around ECDSA (each is
 * tested against the Python code it stands in for; see docs/performance.md):
 *
 *   dcc_claims(data: bytes, sets: tuple of 5 frozensets, max_depth: int)
 *       cbor_decode, then cwt._read_typical and typical.typical_vaccination on the result:
 *       (iss, iat, exp, payload) when both would hold, (claims,) when decoded but not sure of
 *       the shape, None when cbor_decode declined.
 *   json_too_deep(value, budget: int) -> bool | None
 *       strict_json._too_deep; None for a budget above 1000 (bounds the C recursion).
 *   es256_der(raw: bytes) -> bytes | None
 *       signing.raw_to_der for a 64-byte r || s; None for anything else.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define MAX_BASE45_TEXT (64 * 1024)

/* ------------------------------------------------------------------ base45 */

static unsigned char BASE45[256];

static void
init_base45(void)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    memset(BASE45, 0xFF, sizeof BASE45);
    for (int i = 0; i < 45; i++) {
        BASE45[(unsigned char)alphabet[i]] = (unsigned char)i;
    }
}

static PyObject *
base45_decode(PyObject *module, PyObject *arg)
{
    (void)module;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "base45 text must be str");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(arg)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t size = PyUnicode_GET_LENGTH(arg);
    if (size > MAX_BASE45_TEXT || size % 3 == 1) {
        Py_RETURN_NONE;
    }
    const unsigned char *in = (const unsigned char *)PyUnicode_DATA(arg);
    Py_ssize_t groups = size / 3;
    PyObject *result = PyBytes_FromStringAndSize(NULL, groups * 2 + (size % 3 == 2));
    if (result == NULL) {
        return NULL;
    }
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
    for (Py_ssize_t g = 0; g < groups; g++) {
        unsigned int c = BASE45[in[0]], d = BASE45[in[1]], e = BASE45[in[2]];
        unsigned int value = c + 45 * d + 2025 * e;
        /* digits are 0..44 or 0xFF, so the OR is 0xFF exactly when one of them is invalid */
        if ((c | d | e) == 0xFF || value > 0xFFFF) {
            Py_DECREF(result);
            Py_RETURN_NONE;
        }
        out[0] = (unsigned char)(value >> 8);
        out[1] = (unsigned char)value;
        in += 3;
        out += 2;
    }
    if (size % 3 == 2) {
        unsigned int c = BASE45[in[0]], d = BASE45[in[1]];
        unsigned int value = c + 45 * d;
        if ((c | d) == 0xFF || value > 0xFF) {
            Py_DECREF(result);
            Py_RETURN_NONE;
        }
        out[0] = (unsigned char)value;
    }
    return result;
}

/* ------------------------------------------------------------------ CBOR */

/* A NOT_SURE return (NULL without a Python exception set) unwinds the whole decode to None. */
typedef struct {
    const unsigned char *at;
    const unsigned char *end;
    long max_depth;
} Reader;

/* The argument of an item head (additional info 0..27); 0 when it is not one we accept. */
static int
read_argument(Reader *r, unsigned int info, uint64_t *value)
{
    if (info < 24) {
        *value = info;
        return 1;
    }
    size_t width = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (width == 0 || (size_t)(r->end - r->at) < width) {
        return 0; /* reserved or indefinite length, or past the end */
    }
    uint64_t v = 0;
    for (size_t i = 0; i < width; i++) {
        v = v << 8 | r->at[i];
    }
    r->at += width;
    *value = v;
    return 1;
}

static PyObject *decode_item(Reader *r, long depth);

static PyObject *
decode_map(Reader *r, uint64_t count, long depth)
{
    /* every pair takes at least two bytes, so a count above that cannot be real */
    if (count > (uint64_t)(r->end - r->at) / 2) {
        return NULL;
    }
    PyObject *map = PyDict_New();
    if (map == NULL) {
        return NULL;
    }
    for (uint64_t i = 0; i < count; i++) {
        if (r->at >= r->end) {
            goto fail;
        }
        unsigned int major = r->at[0] >> 5;
        if (major == 4 || major == 5) {
            goto fail; /* cbor2 turns such keys into tuples or frozen maps: not plain data */
        }
        PyObject *key = decode_item(r, depth);
        if (key == NULL) {
            goto fail;
        }
        int present = PyDict_Contains(map, key);
        if (present != 0) { /* a duplicate (1 == True counts, as in cbor2), or an error */
            Py_DECREF(key);
            goto fail;
        }
        PyObject *value = decode_item(r, depth);
        if (value == NULL) {
            Py_DECREF(key);
            goto fail;
        }
        int failed = PyDict_SetItem(map, key, value);
        Py_DECREF(key);
        Py_DECREF(value);
        if (failed) {
            goto fail;
        }
    }
    return map;
fail:
    Py_DECREF(map);
    return NULL;
}

static PyObject *
decode_array(Reader *r, uint64_t count, long depth)
{
    if (count > (uint64_t)(r->end - r->at)) { /* every item takes at least one byte */
        return NULL;
    }
    PyObject *list = PyList_New((Py_ssize_t)count);
    if (list == NULL) {
        return NULL;
    }
    for (uint64_t i = 0; i < count; i++) {
        PyObject *item = decode_item(r, depth);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *
decode_item(Reader *r, long depth)
{
    if (r->at >= r->end) {
        return NULL;
    }
    unsigned int head = *r->at++;
    unsigned int major = head >> 5, info = head & 0x1F;
    if (major == 7) { /* only false, true and null are plain data */
        if (info == 20) {
            Py_RETURN_FALSE;
        }
        if (info == 21) {
            Py_RETURN_TRUE;
        }
        if (info == 22) {
            Py_RETURN_NONE;
        }
        return NULL;
    }
    if (major == 6) {
        return NULL; /* tags: cbor2 gives them meaning (dates, bignums...); let it decide */
    }
    uint64_t argument;
    if (!read_argument(r, info, &argument)) {
        return NULL;
    }
    switch (major) {
    case 0:
        return PyLong_FromUnsignedLongLong(argument);
    case 1:
        if (argument > (uint64_t)INT64_MAX) {
            return NULL; /* below -2**63: rare enough for the general path */
        }
        return PyLong_FromLongLong(-1 - (long long)argument);
    case 2:
    case 3: {
        if (argument > (uint64_t)(r->end - r->at)) {
            return NULL;
        }
        const char *start = (const char *)r->at;
        r->at += argument;
        if (major == 2) {
            return PyBytes_FromStringAndSize(start, (Py_ssize_t)argument);
        }
        PyObject *text = PyUnicode_DecodeUTF8(start, (Py_ssize_t)argument, "strict");
        if (text == NULL) {
            PyErr_Clear(); /* invalid UTF-8: the general path names it */
        }
        return text;
    }
    case 4:
    case 5:
        if (depth + 1 > r->max_depth) {
            return NULL;
        }
        return major == 4 ? decode_array(r, argument, depth + 1)
                          : decode_map(r, argument, depth + 1);
    default:
        return NULL;
    }
}

static PyObject *
cbor_decode(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "cbor_decode(data: bytes, max_depth: int)");
        return NULL;
    }
    long max_depth = PyLong_AsLong(args[1]);
    if (max_depth == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (max_depth > 64) {
        max_depth = 64; /* bounds the C recursion; deeper input takes the general path */
    }
    Reader r;
    r.at = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    r.end = r.at + PyBytes_GET_SIZE(args[0]);
    r.max_depth = max_depth;
    PyObject *value = decode_item(&r, 0);
    if (value == NULL) {
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_MemoryError)) {
            PyErr_Clear(); /* e.g. an unhashable key: not sure, so the general path decides */
        }
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    if (r.at != r.end) {
        Py_DECREF(value);
        Py_RETURN_NONE; /* trailing bytes */
    }
    PyObject *result = PyTuple_Pack(1, value);
    Py_DECREF(value);
    return result;
}

/* ------------------------------------------------------------------ typical DCC claims */

/*
 * dcc_claims(data, sets, max_depth): the CWT claims decode and the typical-vaccination shape
 * check of the DCC verify path in one call, so that the usual certificate costs no Python work
 * between the strict CBOR decode and the schema check. It mirrors, and may only be stricter
 * than, cwt._read_typical followed by typical.typical_vaccination (see typical.read_claims,
 * where the answers are spelt out); the Python path decides whenever it declines.
 */

static PyObject *S_VER, *S_NAM, *S_DOB, *S_V, *S_ENTRY[10];
static const char *ENTRY_KEYS[10] = {"tg", "vp", "mp", "ma", "co", "dt", "is", "ci", "dn", "sd"};
static const char *NAME_KEYS[4] = {"fnt", "gnt", "fn", "gn"};
static PyObject *L_HCERT, *L_ISS, *L_IAT, *L_EXP, *L_EU_DCC;

#define MAX_NUMERIC_DATE 253402300799LL /* 9999-12-31T23:59:59Z, as cwt._MAX_NUMERIC_DATE */

static int
init_dcc(void)
{
    S_VER = PyUnicode_InternFromString("ver");
    S_NAM = PyUnicode_InternFromString("nam");
    S_DOB = PyUnicode_InternFromString("dob");
    S_V = PyUnicode_InternFromString("v");
    for (int i = 0; i < 10; i++) {
        S_ENTRY[i] = PyUnicode_InternFromString(ENTRY_KEYS[i]);
        if (S_ENTRY[i] == NULL) {
            return -1;
        }
    }
    L_HCERT = PyLong_FromLong(-260);
    L_ISS = PyLong_FromLong(1);
    L_IAT = PyLong_FromLong(6);
    L_EXP = PyLong_FromLong(4);
    L_EU_DCC = L_ISS;
    if (!S_VER || !S_NAM || !S_DOB || !S_V || !L_HCERT || !L_ISS || !L_IAT || !L_EXP) {
        return -1;
    }
    return 0;
}

/* n ASCII digits at s as a number, or -1 if any is not 0-9 */
static int
ascii_number(const unsigned char *s, int n)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        unsigned int digit = (unsigned int)s[i] - '0';
        if (digit > 9) {
            return -1;
        }
        value = value * 10 + (int)digit;
    }
    return value;
}

/* YYYY-MM-DD in ASCII digits, naming a real day of a year from min_year to max_year: what
 * date.fromisoformat accepts for ten characters with dashes at 4 and 7 (plus a year range) */
static int
is_day(const unsigned char *s, int min_year, int max_year)
{
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s[4] != '-' || s[7] != '-') {
        return 0;
    }
    int year = ascii_number(s, 4), month = ascii_number(s + 5, 2), day = ascii_number(s + 8, 2);
    if (year < min_year || year > max_year || month < 1 || month > 12 || day < 1) {
        return 0;
    }
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= DAYS[month - 1] + (month == 2 && leap);
}

/* an exact str whose characters are all ASCII: its bytes and length, else NULL */
static const unsigned char *
ascii_text(PyObject *value, Py_ssize_t *size)
{
    if (!PyUnicode_CheckExact(value) || !PyUnicode_IS_ASCII(value)) {
        return NULL;
    }
    *size = PyUnicode_GET_LENGTH(value);
    return (const unsigned char *)PyUnicode_DATA(value);
}

/* typical.typical_vaccination for a payload made of plain decoded CBOR: 1 yes, 0 not sure,
 * -1 an error (only from set membership, which cannot fail for str) */
static int
typical_vaccination(PyObject *payload, PyObject *const *sets)
{
    if (!PyDict_CheckExact(payload) || PyDict_GET_SIZE(payload) != 4) {
        return 0;
    }
    PyObject *ver = PyDict_GetItemWithError(payload, S_VER);
    PyObject *nam = PyDict_GetItemWithError(payload, S_NAM);
    PyObject *dob = PyDict_GetItemWithError(payload, S_DOB);
    PyObject *entries = PyDict_GetItemWithError(payload, S_V);
    if (!ver || !nam || !dob || !entries) {
        return PyErr_Occurred() ? -1 : 0;
    }
    if (!PyUnicode_CheckExact(ver) || !PyDict_CheckExact(nam) || !PyList_CheckExact(entries)
        || PyList_GET_SIZE(entries) != 1) {
        return 0;
    }
    /* the name: text parts under fnt/gnt/fn/gn only, one of them not empty */
    Py_ssize_t pos = 0;
    PyObject *key, *part;
    int named = 0;
    while (PyDict_Next(nam, &pos, &key, &part)) {
        if (!PyUnicode_CheckExact(part) || !PyUnicode_CheckExact(key)) {
            return 0;
        }
        int known = 0;
        for (int i = 0; i < 4 && !known; i++) {
            known = PyUnicode_CompareWithASCIIString(key, NAME_KEYS[i]) == 0;
        }
        if (!known) {
            return 0;
        }
        named |= PyUnicode_GET_LENGTH(part) > 0;
    }
    if (!named) {
        return 0;
    }
    /* the date of birth: empty, YYYY, YYYY-MM or YYYY-MM-DD, years 1800-2999 */
    Py_ssize_t size;
    const unsigned char *text = ascii_text(dob, &size);
    if (text == NULL) {
        return 0;
    }
    if (size == 4 || size == 7) {
        int year = ascii_number(text, 4);
        if (year < 1800 || year > 2999) {
            return 0;
        }
        if (size == 7 && (text[4] != '-' || ascii_number(text + 5, 2) < 1
                          || ascii_number(text + 5, 2) > 12)) {
            return 0;
        }
    } else if (size == 10) {
        if (!is_day(text, 1800, 2999)) {
            return 0;
        }
    } else if (size != 0) {
        return 0;
    }
    /* the one entry: exactly its ten fields */
    PyObject *entry = PyList_GET_ITEM(entries, 0);
    if (!PyDict_CheckExact(entry) || PyDict_GET_SIZE(entry) != 10) {
        return 0;
    }
    PyObject *field[10];
    for (int i = 0; i < 10; i++) {
        field[i] = PyDict_GetItemWithError(entry, S_ENTRY[i]);
        if (field[i] == NULL) {
            return PyErr_Occurred() ? -1 : 0;
        }
        if (i < 8 && !PyUnicode_CheckExact(field[i])) {
            return 0; /* tg vp mp ma co dt is ci are text */
        }
    }
    for (int i = 0; i < 5; i++) { /* tg vp mp ma co in their value sets */
        int found = PySet_Contains(sets[i], field[i]);
        if (found != 1) {
            return found;
        }
    }
    if (PyUnicode_GET_LENGTH(field[7]) == 0) {
        return 0; /* ci */
    }
    for (int i = 8; i < 10; i++) { /* dn and sd in 1..99 */
        if (!PyLong_CheckExact(field[i])) {
            return 0;
        }
        int overflow;
        long number = PyLong_AsLongAndOverflow(field[i], &overflow);
        if (overflow || number < 1 || number > 99) {
            return 0;
        }
    }
    text = ascii_text(field[5], &size); /* dt: a date */
    return text != NULL && size == 10 && is_day(text, 1, 9999);
}

/* a NumericDate claim as cwt._read_typical takes it: an int in 0..MAX_NUMERIC_DATE */
static int
whole_seconds(PyObject *value)
{
    if (value == NULL || !PyLong_CheckExact(value)) {
        return 0;
    }
    int overflow;
    long long seconds = PyLong_AsLongLongAndOverflow(value, &overflow);
    return !overflow && seconds >= 0 && seconds <= MAX_NUMERIC_DATE;
}

/* cwt._read_typical and typical_vaccination on decoded claims: 1 yes, 0 not sure, -1 error */
static int
typical_claims(PyObject *claims, PyObject *const *sets, PyObject **dcc)
{
    if (!PyDict_CheckExact(claims)) {
        return 0;
    }
    Py_ssize_t pos = 0;
    PyObject *label, *value;
    while (PyDict_Next(claims, &pos, &label, &value)) {
        if (!PyLong_CheckExact(label)) {
            return 0; /* only integer labels: lookups below find exactly them */
        }
    }
    PyObject *hcert = PyDict_GetItemWithError(claims, L_HCERT);
    if (hcert == NULL || !PyDict_CheckExact(hcert) || PyDict_GET_SIZE(hcert) != 1) {
        return PyErr_Occurred() ? -1 : 0;
    }
    pos = 0;
    PyDict_Next(hcert, &pos, &label, &value);
    if (!PyLong_CheckExact(label) || PyObject_RichCompareBool(label, L_EU_DCC, Py_EQ) != 1
        || !PyDict_CheckExact(value)) {
        return PyErr_Occurred() ? -1 : 0;
    }
    PyObject *issuer = PyDict_GetItemWithError(claims, L_ISS);
    if (issuer != NULL && issuer != Py_None && !PyUnicode_CheckExact(issuer)) {
        return 0;
    }
    if (PyErr_Occurred() || !whole_seconds(PyDict_GetItemWithError(claims, L_IAT))
        || !whole_seconds(PyDict_GetItemWithError(claims, L_EXP))) {
        return PyErr_Occurred() ? -1 : 0;
    }
    *dcc = value;
    return typical_vaccination(value, sets);
}

static PyObject *
dcc_claims(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 3 || !PyBytes_Check(args[0]) || !PyTuple_CheckExact(args[1])
        || PyTuple_GET_SIZE(args[1]) != 5 || !PyLong_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        "dcc_claims(data: bytes, sets: tuple of 5 frozensets, max_depth: int)");
        return NULL;
    }
    PyObject *const *sets = &PyTuple_GET_ITEM(args[1], 0);
    for (int i = 0; i < 5; i++) {
        if (!PyFrozenSet_CheckExact(sets[i])) {
            PyErr_SetString(PyExc_TypeError, "dcc_claims: the value sets are frozensets");
            return NULL;
        }
    }
    PyObject *decode_args[2] = {args[0], args[2]};
    PyObject *found = cbor_decode(module, decode_args, 2);
    if (found == NULL || found == Py_None) {
        return found;
    }
    PyObject *claims = PyTuple_GET_ITEM(found, 0), *dcc = NULL;
    int typical = typical_claims(claims, sets, &dcc);
    if (typical < 0) {
        Py_DECREF(found);
        return NULL;
    }
    if (typical == 0) {
        return found; /* (claims,): decoded, but the Python path judges the shape */
    }
    PyObject *issuer = PyDict_GetItem(claims, L_ISS); /* borrowed; NULL when absent */
    PyObject *result = PyTuple_Pack(4, issuer ? issuer : Py_None, PyDict_GetItem(claims, L_IAT),
                                    PyDict_GetItem(claims, L_EXP), dcc);
    Py_DECREF(found);
    return result;
}

/* ------------------------------------------------------------------ JSON depth */

/* strict_json._too_deep, exactly: the top value may be any dict or list (subclasses too), its
 * children count only when they are exactly dict or list. 1 too deep, 0 not, -1 error. */
static int
too_deep(PyObject *value, long budget)
{
    Py_ssize_t pos = 0, size;
    PyObject *key, *child;
    int is_dict = PyDict_Check(value);
    if (!is_dict && !PyList_Check(value)) {
        return 0;
    }
    if (budget <= 0) {
        return 1;
    }
    budget -= 1;
    if (is_dict) {
        while (PyDict_Next(value, &pos, &key, &child)) {
            if ((PyDict_CheckExact(child) || PyList_CheckExact(child)) && too_deep(child, budget)) {
                return 1;
            }
        }
        return 0;
    }
    size = PyList_GET_SIZE(value);
    for (Py_ssize_t i = 0; i < size; i++) {
        child = PyList_GET_ITEM(value, i);
        if ((PyDict_CheckExact(child) || PyList_CheckExact(child)) && too_deep(child, budget)) {
            return 1;
        }
    }
    return 0;
}

static PyObject *
json_too_deep(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2 || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "json_too_deep(value, budget: int)");
        return NULL;
    }
    long budget = PyLong_AsLong(args[1]);
    if (budget == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (budget > 1000) {
        Py_RETURN_NONE; /* bounds the C recursion; the Python check decides */
    }
    return PyBool_FromLong(too_deep(args[0], budget));
}

/* ------------------------------------------------------------------ ES256 signature DER */

/* one half of r || s as a DER INTEGER: leading zero bytes dropped (one kept for zero), a zero
 * byte put back in front when the top bit is set, so that the integer stays positive */
static unsigned char *
der_integer(unsigned char *out, const unsigned char *half, int size)
{
    int skip = 0;
    while (skip < size - 1 && half[skip] == 0) {
        skip++;
    }
    int pad = half[skip] & 0x80 ? 1 : 0;
    *out++ = 0x02;
    *out++ = (unsigned char)(size - skip + pad);
    if (pad) {
        *out++ = 0;
    }
    memcpy(out, half + skip, (size_t)(size - skip));
    return out + size - skip;
}

/* es256_der(raw): signing.raw_to_der for a 64-byte r || s; None for any other input */
static PyObject *
es256_der(PyObject *module, PyObject *arg)
{
    (void)module;
    if (!PyBytes_CheckExact(arg) || PyBytes_GET_SIZE(arg) != 64) {
        Py_RETURN_NONE;
    }
    const unsigned char *raw = (const unsigned char *)PyBytes_AS_STRING(arg);
    unsigned char der[2 + 2 * (2 + 33)];
    unsigned char *end = der_integer(der + 2, raw, 32);
    end = der_integer(end, raw + 32, 32);
    der[0] = 0x30;
    der[1] = (unsigned char)(end - der - 2); /* at most 70: the short form */
    return PyBytes_FromStringAndSize((const char *)der, end - der);
}

/* ------------------------------------------------------------------ module */

static PyMethodDef METHODS[] = {
    {"base45_decode", base45_decode, METH_O,
     "Decode valid base45 text to bytes; None when the text is not surely valid."},
    {"cbor_decode", (PyCFunction)(void (*)(void))cbor_decode, METH_FASTCALL,
     "Decode one plain-data CBOR item filling data exactly, as a 1-tuple; None if not sure."},
    {"dcc_claims", (PyCFunction)(void (*)(void))dcc_claims, METH_FASTCALL,
     "Typical DCC claims as (iss, iat, exp, payload); (claims,) if only decoded; None."},
    {"es256_der", es256_der, METH_O,
     "The DER ECDSA-Sig-Value of a 64-byte r || s; None for anything else."},
    {"json_too_deep", (PyCFunction)(void (*)(void))json_too_deep, METH_FASTCALL,
     "strict_json._too_deep in C; None when the budget is too large to recurse on."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT, "_accel", "Optional C accelerator for base45 and strict CBOR.", -1,
    METHODS,
};

PyMODINIT_FUNC
PyInit__accel(void)
{
    init_base45();
    if (init_dcc() < 0) {
        return NULL;
    }
    return PyModule_Create(&MODULE);
}
