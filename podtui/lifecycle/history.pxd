# Cython's view of history.py (read when hatch_build.py compiles it): the diff's
# private helpers become C functions with exact-dict arguments, so a call between
# them and each .get on a status costs a C call, not a Python one. Every argument
# typed dict here is an exact dict (or None) at every call site in history.py; what
# an isinstance reader (read.as_dict, as_str) may hand over stays untyped, or the
# compiled model would refuse a subclass the pure one takes (tests/test_compiled.py).
cimport cython

cdef class _Emitter:
    cdef public list out
    cdef public object observed
    cdef public bint first_sight
    cdef public bint seen
    cdef public bint touched
    cdef public object ip_at
    cdef public object phase_at
    cdef public object ready_by
    cdef public object last_ready
    cdef public object delays

cdef inline dict _mapping(object value)
cdef _clip(text)
cdef _termination_message(str text)
cdef tuple _exit_facts(terminated)
cdef tuple _terminated(t, restart_count)
cdef bint _same_instance(dict a, a_id, dict b, b_id) except -1
cdef tuple _state(dict status, dict state)
cdef _container(_Emitter em, name, kind, dict o, dict n)
cdef bint _started_since(ocur, ncur, new_last) except -1
cdef _restart(_Emitter em, name, kind, dict o, dict n, ncur, rc_old, rc_new, new_last)
cdef _flags(_Emitter em, name, kind, dict o, dict n)
cdef _started(_Emitter em, name, kind, dict o, dict n)
cdef _containers(_Emitter em, pod, dict old_status, dict new_status)
cdef _status_list(_Emitter em, pod, default_kind, olist, nlist)
@cython.locals(c=dict)
cdef _conditions(_Emitter em, old_list, new_list)
cdef _condition(_Emitter em, ctype, dict o, dict c)
cdef _deletion(_Emitter em, dict old_meta, dict new_meta, new_status)
cdef _ips(dict status)
cdef _spec_and_meta(_Emitter em, old, new, new_status)
cdef _finalizers(_Emitter em, old, new)
cdef _status(_Emitter em, dict old_status, dict new_status)
cdef _pod_fields(_Emitter em, dict old_status, dict new_status)

@cython.locals(em=_Emitter, ometa=dict, nmeta=dict, old_status=dict, new_status=dict, out=list)
cpdef tuple diff_versions(old, new, observed, floor=*)
