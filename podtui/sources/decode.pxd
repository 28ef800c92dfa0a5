# Cython's view of decode.py, read when hatch_build.py compiles it: the C helper that
# takes decoded pods out of the cyclic garbage collector's view (see untrack in
# decode.py). Python code can't untrack an object; a pure install goes without.
# podtui/_native.py's stale-extension guard hashes it with decode.py: edited, the
# module runs as its .py until reinstalled.
from cpython.object cimport PyObject
from cpython.dict cimport PyDict_CheckExact, PyDict_Next
from cpython.list cimport PyList_CheckExact, PyList_GET_ITEM, PyList_GET_SIZE

cdef extern from "Python.h":
    bint PyObject_GC_IsTracked(object op)
    void PyObject_GC_UnTrack(object op)


cdef inline void untrack_tree(object value):
    # Depth-first over dicts and lists. One already untracked heads a tree untracked
    # before (a piece shared with the previous version): nothing below it to do.
    # msgspec's recursion limit bounds the depth.
    cdef Py_ssize_t pos = 0, i
    cdef PyObject *key
    cdef PyObject *item
    if PyDict_CheckExact(value):
        if not PyObject_GC_IsTracked(value):
            return
        PyObject_GC_UnTrack(value)
        while PyDict_Next(value, &pos, &key, &item):
            if PyDict_CheckExact(<object>item) or PyList_CheckExact(<object>item):
                untrack_tree(<object>item)
    elif PyList_CheckExact(value):
        if not PyObject_GC_IsTracked(value):
            return
        PyObject_GC_UnTrack(value)
        for i in range(PyList_GET_SIZE(value)):
            item = PyList_GET_ITEM(value, i)
            if PyDict_CheckExact(<object>item) or PyList_CheckExact(<object>item):
                untrack_tree(<object>item)


# The decoder's state and its per-line work in C: _share reads the line's pieces as
# exact dicts and lists (msgspec's typed decode makes them so) and its slots by C index.
cimport cython

cdef class PodDecoder:
    cdef public dict _seen
    cdef public dict _templates
    cdef public dict _users
    cpdef line(self, data)
    cdef _release(self, owner)
    @cython.locals(meta=dict, seen=list, status=dict, i=Py_ssize_t, j=Py_ssize_t, n=Py_ssize_t, old_parts=list,
                   old_items=list, kept=list, items=list)
    cdef _share(self, dict obj)

@cython.locals(i=Py_ssize_t)
cdef _share_whole(dict mapping, tuple pieces, list seen)

cdef inline untrack(object value)
