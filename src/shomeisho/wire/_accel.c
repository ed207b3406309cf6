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

/* ------------------------------------------------------------------ module */

static PyMethodDef METHODS[] = {
    {"base45_decode", base45_decode, METH_O,
     "Decode valid base45 text to bytes; None when the text is not surely valid."},
    {"cbor_decode", (PyCFunction)(void (*)(void))cbor_decode, METH_FASTCALL,
     "Decode one plain-data CBOR item filling data exactly, as a 1-tuple; None if not sure."},
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
    return PyModule_Create(&MODULE);
}
