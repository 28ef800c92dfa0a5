# Cython's view of columns.py (read when hatch_build.py compiles it): pod_row reads
# its pieces as exact dicts (a .get is then a C lookup, not a method call), and the
# small readers are C functions. Every dict-typed name here only ever holds an exact
# dict: what _mapping returns, or an argument checked to be one at each call.
cimport cython

cdef dict _EMPTY

cdef inline dict _mapping(object value)
cdef inline str _str(object value)
cdef object _int(object value)
cdef object _ts(object value)
cdef object _finished_at(dict status)
cpdef str terminated_reason(terminated, prefix=*)

@cython.locals(obj=dict, meta=dict, spec=dict, status=dict, cs=dict, state=dict, sidecar_by_name=dict)
cpdef pod_row(pod)

cdef bint _initialized(object conditions) except -1
cpdef bint pod_ready(object conditions) except -1
cdef str _pod_ip(dict status)
cdef str _readiness_gates(dict spec, object conditions)
