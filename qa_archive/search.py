class QueryError(Exception):
    pass
