from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FieldType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STRING: _ClassVar[FieldType]
    INTEGER: _ClassVar[FieldType]
    FLOAT: _ClassVar[FieldType]
    BOOLEAN: _ClassVar[FieldType]
    DATE: _ClassVar[FieldType]
    DATETIME: _ClassVar[FieldType]
    EMAIL: _ClassVar[FieldType]
    PHONE: _ClassVar[FieldType]
    ADDRESS: _ClassVar[FieldType]
    UUID: _ClassVar[FieldType]
    ENUM: _ClassVar[FieldType]
    OBJECT: _ClassVar[FieldType]
    ARRAY: _ClassVar[FieldType]

class GenerationMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRADITIONAL: _ClassVar[GenerationMethod]
    LLM: _ClassVar[GenerationMethod]
    RAG: _ClassVar[GenerationMethod]
    HYBRID: _ClassVar[GenerationMethod]

class OutputFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JSON: _ClassVar[OutputFormat]
    CSV: _ClassVar[OutputFormat]
    SQL: _ClassVar[OutputFormat]
    JSONL: _ClassVar[OutputFormat]
    PARQUET: _ClassVar[OutputFormat]
STRING: FieldType
INTEGER: FieldType
FLOAT: FieldType
BOOLEAN: FieldType
DATE: FieldType
DATETIME: FieldType
EMAIL: FieldType
PHONE: FieldType
ADDRESS: FieldType
UUID: FieldType
ENUM: FieldType
OBJECT: FieldType
ARRAY: FieldType
TRADITIONAL: GenerationMethod
LLM: GenerationMethod
RAG: GenerationMethod
HYBRID: GenerationMethod
JSON: OutputFormat
CSV: OutputFormat
SQL: OutputFormat
JSONL: OutputFormat
PARQUET: OutputFormat

class GenerateRequest(_message.Message):
    __slots__ = ("request_id", "domain", "entity", "schema", "constraints", "scenarios", "context", "hints", "output_format", "count", "use_cache", "learn_from_history", "defect_triggering", "production_like", "inline_schema", "generation_method", "custom_schema", "seed", "chunk_size", "negative", "locale", "csv_safe", "as_of", "schema_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    HINTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    USE_CACHE_FIELD_NUMBER: _ClassVar[int]
    LEARN_FROM_HISTORY_FIELD_NUMBER: _ClassVar[int]
    DEFECT_TRIGGERING_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_LIKE_FIELD_NUMBER: _ClassVar[int]
    INLINE_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    GENERATION_METHOD_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    CSV_SAFE_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    domain: str
    entity: str
    schema: Schema
    constraints: Constraints
    scenarios: _containers.RepeatedCompositeFieldContainer[Scenario]
    context: str
    hints: _containers.RepeatedScalarFieldContainer[str]
    output_format: OutputFormat
    count: int
    use_cache: bool
    learn_from_history: bool
    defect_triggering: bool
    production_like: bool
    inline_schema: str
    generation_method: GenerationMethod
    custom_schema: str
    seed: int
    chunk_size: int
    negative: bool
    locale: str
    csv_safe: bool
    as_of: str
    schema_id: str
    def __init__(self, request_id: _Optional[str] = ..., domain: _Optional[str] = ..., entity: _Optional[str] = ..., schema: _Optional[_Union[Schema, _Mapping]] = ..., constraints: _Optional[_Union[Constraints, _Mapping]] = ..., scenarios: _Optional[_Iterable[_Union[Scenario, _Mapping]]] = ..., context: _Optional[str] = ..., hints: _Optional[_Iterable[str]] = ..., output_format: _Optional[_Union[OutputFormat, str]] = ..., count: _Optional[int] = ..., use_cache: bool = ..., learn_from_history: bool = ..., defect_triggering: bool = ..., production_like: bool = ..., inline_schema: _Optional[str] = ..., generation_method: _Optional[_Union[GenerationMethod, str]] = ..., custom_schema: _Optional[str] = ..., seed: _Optional[int] = ..., chunk_size: _Optional[int] = ..., negative: bool = ..., locale: _Optional[str] = ..., csv_safe: bool = ..., as_of: _Optional[str] = ..., schema_id: _Optional[str] = ...) -> None: ...

class Schema(_message.Message):
    __slots__ = ("fields", "predefined_schema")
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    PREDEFINED_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.RepeatedCompositeFieldContainer[Field]
    predefined_schema: str
    def __init__(self, fields: _Optional[_Iterable[_Union[Field, _Mapping]]] = ..., predefined_schema: _Optional[str] = ...) -> None: ...

class Field(_message.Message):
    __slots__ = ("name", "type", "required", "description", "nested_fields")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    NESTED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: FieldType
    required: bool
    description: str
    nested_fields: _containers.RepeatedCompositeFieldContainer[Field]
    def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[FieldType, str]] = ..., required: bool = ..., description: _Optional[str] = ..., nested_fields: _Optional[_Iterable[_Union[Field, _Mapping]]] = ...) -> None: ...

class Constraints(_message.Message):
    __slots__ = ("field_constraints",)
    class FieldConstraintsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: FieldConstraint
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[FieldConstraint, _Mapping]] = ...) -> None: ...
    FIELD_CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    field_constraints: _containers.MessageMap[str, FieldConstraint]
    def __init__(self, field_constraints: _Optional[_Mapping[str, FieldConstraint]] = ...) -> None: ...

class FieldConstraint(_message.Message):
    __slots__ = ("min", "max", "enum_values", "regex", "min_length", "max_length", "format")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    ENUM_VALUES_FIELD_NUMBER: _ClassVar[int]
    REGEX_FIELD_NUMBER: _ClassVar[int]
    MIN_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_LENGTH_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    min: float
    max: float
    enum_values: _containers.RepeatedScalarFieldContainer[str]
    regex: str
    min_length: int
    max_length: int
    format: str
    def __init__(self, min: _Optional[float] = ..., max: _Optional[float] = ..., enum_values: _Optional[_Iterable[str]] = ..., regex: _Optional[str] = ..., min_length: _Optional[int] = ..., max_length: _Optional[int] = ..., format: _Optional[str] = ...) -> None: ...

class Scenario(_message.Message):
    __slots__ = ("name", "count", "overrides", "description")
    class OverridesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    count: int
    overrides: _containers.ScalarMap[str, str]
    description: str
    def __init__(self, name: _Optional[str] = ..., count: _Optional[int] = ..., overrides: _Optional[_Mapping[str, str]] = ..., description: _Optional[str] = ...) -> None: ...

class GenerateResponse(_message.Message):
    __slots__ = ("request_id", "success", "data", "record_count", "metadata", "error")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    RECORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    success: bool
    data: str
    record_count: int
    metadata: GenerationMetadata
    error: str
    def __init__(self, request_id: _Optional[str] = ..., success: bool = ..., data: _Optional[str] = ..., record_count: _Optional[int] = ..., metadata: _Optional[_Union[GenerationMetadata, _Mapping]] = ..., error: _Optional[str] = ...) -> None: ...

class GenerationMetadata(_message.Message):
    __slots__ = ("generation_path", "llm_tokens_used", "generation_time_ms", "coherence_score", "scenario_counts", "fallback_reason", "cache_hit", "seed", "prompt_version", "llm_requests", "engine_version", "as_of", "examples_used", "report_json")
    class ScenarioCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    GENERATION_PATH_FIELD_NUMBER: _ClassVar[int]
    LLM_TOKENS_USED_FIELD_NUMBER: _ClassVar[int]
    GENERATION_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    COHERENCE_SCORE_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_COUNTS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    LLM_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_VERSION_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    EXAMPLES_USED_FIELD_NUMBER: _ClassVar[int]
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    generation_path: str
    llm_tokens_used: int
    generation_time_ms: float
    coherence_score: float
    scenario_counts: _containers.ScalarMap[str, int]
    fallback_reason: str
    cache_hit: bool
    seed: int
    prompt_version: str
    llm_requests: int
    engine_version: str
    as_of: str
    examples_used: _containers.RepeatedScalarFieldContainer[str]
    report_json: str
    def __init__(self, generation_path: _Optional[str] = ..., llm_tokens_used: _Optional[int] = ..., generation_time_ms: _Optional[float] = ..., coherence_score: _Optional[float] = ..., scenario_counts: _Optional[_Mapping[str, int]] = ..., fallback_reason: _Optional[str] = ..., cache_hit: bool = ..., seed: _Optional[int] = ..., prompt_version: _Optional[str] = ..., llm_requests: _Optional[int] = ..., engine_version: _Optional[str] = ..., as_of: _Optional[str] = ..., examples_used: _Optional[_Iterable[str]] = ..., report_json: _Optional[str] = ...) -> None: ...

class DataChunk(_message.Message):
    __slots__ = ("request_id", "data", "chunk_index", "is_final")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_INDEX_FIELD_NUMBER: _ClassVar[int]
    IS_FINAL_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    data: str
    chunk_index: int
    is_final: bool
    def __init__(self, request_id: _Optional[str] = ..., data: _Optional[str] = ..., chunk_index: _Optional[int] = ..., is_final: bool = ...) -> None: ...

class GetSchemasRequest(_message.Message):
    __slots__ = ("domain",)
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    domain: str
    def __init__(self, domain: _Optional[str] = ...) -> None: ...

class GetSchemasResponse(_message.Message):
    __slots__ = ("schemas",)
    SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    schemas: _containers.RepeatedCompositeFieldContainer[SchemaInfo]
    def __init__(self, schemas: _Optional[_Iterable[_Union[SchemaInfo, _Mapping]]] = ...) -> None: ...

class SchemaInfo(_message.Message):
    __slots__ = ("name", "domain", "description", "fields", "rules")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    name: str
    domain: str
    description: str
    fields: _containers.RepeatedCompositeFieldContainer[SchemaFieldInfo]
    rules: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., domain: _Optional[str] = ..., description: _Optional[str] = ..., fields: _Optional[_Iterable[_Union[SchemaFieldInfo, _Mapping]]] = ..., rules: _Optional[_Iterable[str]] = ...) -> None: ...

class SchemaFieldInfo(_message.Message):
    __slots__ = ("name", "type", "required", "description", "example", "constraints_json")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EXAMPLE_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_JSON_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    required: bool
    description: str
    example: str
    constraints_json: str
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., required: bool = ..., description: _Optional[str] = ..., example: _Optional[str] = ..., constraints_json: _Optional[str] = ...) -> None: ...

class HealthCheckRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HealthCheckResponse(_message.Message):
    __slots__ = ("status", "components")
    class ComponentsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    status: str
    components: _containers.ScalarMap[str, str]
    def __init__(self, status: _Optional[str] = ..., components: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Example(_message.Message):
    __slots__ = ("domain", "entity", "kind", "scenario", "description", "data", "tags", "quality_score", "id")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    QUALITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    domain: str
    entity: str
    kind: str
    scenario: str
    description: str
    data: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    quality_score: float
    id: str
    def __init__(self, domain: _Optional[str] = ..., entity: _Optional[str] = ..., kind: _Optional[str] = ..., scenario: _Optional[str] = ..., description: _Optional[str] = ..., data: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., quality_score: _Optional[float] = ..., id: _Optional[str] = ...) -> None: ...

class AddExamplesRequest(_message.Message):
    __slots__ = ("examples",)
    EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    examples: _containers.RepeatedCompositeFieldContainer[Example]
    def __init__(self, examples: _Optional[_Iterable[_Union[Example, _Mapping]]] = ...) -> None: ...

class AddExamplesResponse(_message.Message):
    __slots__ = ("added", "rejected")
    ADDED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    added: int
    rejected: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, added: _Optional[int] = ..., rejected: _Optional[_Iterable[str]] = ...) -> None: ...

class EntityCount(_message.Message):
    __slots__ = ("entity", "count")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    entity: str
    count: int
    def __init__(self, entity: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class DatasetRequest(_message.Message):
    __slots__ = ("request_id", "domain", "entities", "seed", "output_format", "context", "hints", "generation_method", "locale", "use_cache", "csv_safe", "as_of", "schema_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    HINTS_FIELD_NUMBER: _ClassVar[int]
    GENERATION_METHOD_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    USE_CACHE_FIELD_NUMBER: _ClassVar[int]
    CSV_SAFE_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    domain: str
    entities: _containers.RepeatedCompositeFieldContainer[EntityCount]
    seed: int
    output_format: OutputFormat
    context: str
    hints: _containers.RepeatedScalarFieldContainer[str]
    generation_method: GenerationMethod
    locale: str
    use_cache: bool
    csv_safe: bool
    as_of: str
    schema_id: str
    def __init__(self, request_id: _Optional[str] = ..., domain: _Optional[str] = ..., entities: _Optional[_Iterable[_Union[EntityCount, _Mapping]]] = ..., seed: _Optional[int] = ..., output_format: _Optional[_Union[OutputFormat, str]] = ..., context: _Optional[str] = ..., hints: _Optional[_Iterable[str]] = ..., generation_method: _Optional[_Union[GenerationMethod, str]] = ..., locale: _Optional[str] = ..., use_cache: bool = ..., csv_safe: bool = ..., as_of: _Optional[str] = ..., schema_id: _Optional[str] = ...) -> None: ...

class DatasetChunk(_message.Message):
    __slots__ = ("request_id", "entity", "data", "chunk_index", "is_final")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    CHUNK_INDEX_FIELD_NUMBER: _ClassVar[int]
    IS_FINAL_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    entity: str
    data: str
    chunk_index: int
    is_final: bool
    def __init__(self, request_id: _Optional[str] = ..., entity: _Optional[str] = ..., data: _Optional[str] = ..., chunk_index: _Optional[int] = ..., is_final: bool = ...) -> None: ...

class ListExamplesRequest(_message.Message):
    __slots__ = ("entity", "tag", "limit", "page_token")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entity: str
    tag: str
    limit: int
    page_token: str
    def __init__(self, entity: _Optional[str] = ..., tag: _Optional[str] = ..., limit: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListExamplesResponse(_message.Message):
    __slots__ = ("examples", "next_page_token")
    EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    examples: _containers.RepeatedCompositeFieldContainer[Example]
    next_page_token: str
    def __init__(self, examples: _Optional[_Iterable[_Union[Example, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteExamplesRequest(_message.Message):
    __slots__ = ("ids", "tag")
    IDS_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[str]
    tag: str
    def __init__(self, ids: _Optional[_Iterable[str]] = ..., tag: _Optional[str] = ...) -> None: ...

class DeleteExamplesResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...

class ImportSchemaRequest(_message.Message):
    __slots__ = ("request_id", "source_kind", "source", "dialect", "sources")
    class SourcesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KIND_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DIALECT_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    source_kind: str
    source: str
    dialect: str
    sources: _containers.ScalarMap[str, str]
    def __init__(self, request_id: _Optional[str] = ..., source_kind: _Optional[str] = ..., source: _Optional[str] = ..., dialect: _Optional[str] = ..., sources: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ImportSchemaResponse(_message.Message):
    __slots__ = ("schema_id", "schemas", "warnings", "sources")
    class SourcesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SCHEMA_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    schema_id: str
    schemas: _containers.RepeatedCompositeFieldContainer[SchemaInfo]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    sources: _containers.ScalarMap[str, str]
    def __init__(self, schema_id: _Optional[str] = ..., schemas: _Optional[_Iterable[_Union[SchemaInfo, _Mapping]]] = ..., warnings: _Optional[_Iterable[str]] = ..., sources: _Optional[_Mapping[str, str]] = ...) -> None: ...

class DeleteSchemaRequest(_message.Message):
    __slots__ = ("schema_id",)
    SCHEMA_ID_FIELD_NUMBER: _ClassVar[int]
    schema_id: str
    def __init__(self, schema_id: _Optional[str] = ...) -> None: ...

class DeleteSchemaResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: bool = ...) -> None: ...
