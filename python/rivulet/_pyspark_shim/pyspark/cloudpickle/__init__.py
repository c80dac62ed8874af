"""``pyspark.cloudpickle`` (PySpark vendors a copy of cloudpickle): the installed cloudpickle
when there is one. Without it the module still imports, and falls back to the standard
pickle, which pickles classes and functions by reference only; pickling one by value then
fails with a message that says how to install cloudpickle."""

try:
    from cloudpickle import *  # noqa: F401,F403
    from cloudpickle import CloudPickler, dump, dumps, load, loads  # noqa: F401
except ImportError:
    import pickle as _pickle

    _HINT = (
        "pickling this object needs cloudpickle, which the worker's interpreter lacks "
        "(Debian: apt-get install python3-cloudpickle; otherwise pip install cloudpickle)"
    )

    load = _pickle.load
    loads = _pickle.loads

    class CloudPickler(_pickle.Pickler):
        def dump(self, obj):
            try:
                return super().dump(obj)
            except (_pickle.PicklingError, AttributeError, TypeError) as e:
                raise _pickle.PicklingError("%s: %s" % (_HINT, e)) from e

    Pickler = CloudPickler

    def dump(obj, file, protocol=None):
        CloudPickler(file, protocol).dump(obj)

    def dumps(obj, protocol=None):
        import io

        buffer = io.BytesIO()
        dump(obj, buffer, protocol)
        return buffer.getvalue()
