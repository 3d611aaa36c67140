// DDL for one object at a time, from the model. The full-state emitter (sql.cpp)
// orders these; the planner will pair each with its inverse. Table-level DDL names
// the table by its declared name (an archive renames it last).
#pragma once

#include <functional>
#include <string>

#include "model/schema.hpp"

namespace schemac::emit {

std::string sql_string(const std::string& text);  // 'text' with quotes doubled
std::string role_sql(const std::string& role);    // PUBLIC or the quoted role
std::string doc_text(const model::Doc& doc);      // doc lines joined by newlines

std::string create_extension(const model::NamedObject& e);
std::string create_schema(const model::NamedObject& s);
std::string create_enum(const model::Enum& e);
std::string create_domain(const model::Domain& d);
std::string domain_check(const model::DomainCheck& c);  // CONSTRAINT name CHECK (...)
std::string create_composite_type(const model::CompositeType& c);
// CREATE SEQUENCE with the options given (not its owner: OWNED BY needs the table).
std::string create_sequence(const model::Sequence& s);
// ALTER SEQUENCE to every option of `s` in force (its current value stays).
std::string alter_sequence(const model::Sequence& s);
std::string sequence_owner(const model::Sequence& s);
// ALTER DEFAULT PRIVILEGES [IN SCHEMA s] GRANT d's privileges TO (give) or REVOKE them FROM d's role.
std::string default_privileges(const model::DefaultPrivilege& d, bool give);  // ALTER SEQUENCE ... OWNED BY T.C | NONE
std::string create_function(const model::Function& f);
std::string function_signature(const model::Function& f);  // public.f(uuid, integer)

std::string column_definition(const model::Column& c);
std::string serial_spelling(const model::Type& t);              // serial, bigserial or smallserial
std::string constraint_definition(const model::Constraint& c);  // CONSTRAINT name ...
// CREATE TABLE with every column and the given constraints (filter: which to inline).
std::string create_table(const model::Table& t, const std::function<bool(const model::Constraint&)>& inline_constraint);
std::string add_constraint(const model::Table& t, const model::Constraint& c);
std::string partition_key(const model::PartitionKey& k);  // RANGE (a, (lower(b)))
std::string create_partition(const model::Partition& p);  // CREATE TABLE p PARTITION OF t FOR VALUES ...
std::string attach_partition(const model::Partition& p);
std::string detach_partition(const model::Partition& p);
std::string create_index(const model::QualifiedName& relation, const model::Index& ix);
std::string create_view(const model::View& v);
std::string create_materialized_view(const model::MaterializedView& v);
// On a distributed or reference table (Citus), prefixed with SET LOCAL
// citus.enable_unsafe_triggers: the trigger fires on each shard, on the workers (the
// resolver allows only row-level triggers there).
std::string create_trigger(const model::Table& t, const model::Trigger& tr);
// Citus: the table sharded as `d` says (create_distributed_table, colocated as
// declared, or create_reference_table); undistribute_table makes it local again;
// alter_distributed_table moves a distributed table to another column or group.
// `with_triggers`: the table has triggers, which Citus refuses unless told.
std::string distribute_table(const model::QualifiedName& t, const model::Distribution& d, bool with_triggers);
std::string undistribute_table(const model::QualifiedName& t);
// A table that Citus holds (distributed, reference, or local in its metadata) made a
// plain local table, its rows gathered from the shards, so that it can be kept in the
// retention schema; its foreign keys go first (undistribute_table refuses them). A
// table Citus does not hold is left as it is.
std::string make_local(const model::QualifiedName& t);
std::string alter_distributed_table(const model::QualifiedName& t, const model::Distribution& d);
std::string enable_rls(const model::Table& t);
std::string force_rls(const model::Table& t);
std::string create_policy(const model::Table& t, const model::Policy& p);
std::string grant(const model::QualifiedName& table, const model::Grant& g);
std::string revoke(const model::QualifiedName& table, const model::Grant& g);
// Privileges on any object; target is what follows ON: "FUNCTION public.f(uuid)",
// "SCHEMA app", "TABLE public.v" (views and materialized views too).
std::string function_privilege_target(const model::Function& f);
std::string schema_privilege_target(const std::string& schema);
std::string grant_on(const std::string& target, const model::Grant& g);
std::string revoke_on(const std::string& target, const model::Grant& g);
std::string revoke_all(const std::string& target, const std::string& role);
// What a created object's privileges need after CREATE: the revokes, then the grants
// ("" when there are none).
std::string privileges(const std::string& target, const std::vector<model::Grant>& grants,
                       const std::vector<std::string>& revoked = {});

}  // namespace schemac::emit
