-- The hub's state, one schema for H2 (PostgreSQL mode) and PostgreSQL. Times are epoch milliseconds.
-- Ids follow the wire's id rule ([A-Za-z0-9][A-Za-z0-9_.-]{0,63}).

create table devices (
    site          varchar(64)  not null,
    device        varchar(64)  not null,
    device_class  varchar(64)  not null,
    channels      integer      not null,
    first_seen    bigint       not null,
    last_seen     bigint       not null,
    primary key (site, device)
);

-- every commissioning set a device sent (the Commissioning message as received, JSON)
create table commissioning_sets (
    site          varchar(64)  not null,
    device        varchar(64)  not null,
    sha256        char(64)     not null,
    received_at   bigint       not null,
    samples       integer      not null,
    channels      integer      not null,
    payload       bytea        not null,
    primary key (site, device, sha256),
    foreign key (site, device) references devices (site, device)
);

-- model artifacts, content-addressed
create table artifacts (
    sha256        char(64)     primary key,
    format        varchar(64)  not null,
    size_bytes    integer      not null,
    content       bytea        not null,
    created_at    bigint       not null
);

-- one row per model: a device's tiny and large model of one fit (same fingerprint)
create table models (
    site            varchar(64)  not null,
    device          varchar(64)  not null,
    version         varchar(64)  not null,
    kind            varchar(16)  not null,
    fingerprint     varchar(64)  not null,
    device_class    varchar(64)  not null,
    artifact_sha256 char(64)     not null references artifacts (sha256),
    set_sha256      char(64)     not null,
    parent_version  varchar(64),
    fitted_by       varchar(64)  not null,
    fit_millis      bigint       not null,
    created_at      bigint       not null,
    primary key (site, device, version),
    foreign key (site, device) references devices (site, device)
);
create index models_by_fingerprint on models (site, device, fingerprint);

-- every signed model assignment a hub issued (the manifest as signed, JSON)
create table manifests (
    site          varchar(64)  not null,
    device        varchar(64)  not null,
    generation    bigint       not null,
    version       varchar(64)  not null,
    key_id        varchar(64)  not null,
    signed        bytea        not null,
    issued_at     bigint       not null,
    issued_by     varchar(64)  not null,
    primary key (site, device, generation)
);

-- who fits a device's set: the row is the lease (several hub instances on one database fit once)
create table fit_leases (
    site          varchar(64)  not null,
    device        varchar(64)  not null,
    fingerprint   varchar(64)  not null,
    holder        varchar(64)  not null,
    expires_at    bigint       not null,
    primary key (site, device, fingerprint)
);

-- escalations and the hub's verdicts (null while none: refused or not finite)
create table escalations (
    site               varchar(64)   not null,
    device             varchar(64)   not null,
    id                 varchar(128)  not null,
    window_id          bigint        not null,
    window_size        integer       not null,
    edge_model_version varchar(64)   not null,
    edge_score         double precision not null,
    received_at        bigint        not null,
    instance_id        varchar(64)   not null,
    payload            bytea         not null,
    verdict_anomaly    boolean,
    verdict_score      double precision,
    hub_model_version  varchar(64),
    verdict_at         bigint,
    primary key (site, device, id)
);
create index escalations_by_time on escalations (received_at);

-- ground truth an operator gave for a stretch of a device's time
create table labels (
    id            varchar(64)   primary key,
    site          varchar(64)   not null,
    device        varchar(64)   not null,
    from_ms       bigint        not null,
    to_ms         bigint        not null,
    anomaly       boolean       not null,
    note          varchar(1000),
    created_at    bigint        not null,
    created_by    varchar(64)   not null
);
create index labels_by_device on labels (site, device, from_ms);

-- retraining runs (filled by the retraining work)
create table retraining_runs (
    id                varchar(64)   primary key,
    site              varchar(64)   not null,
    device            varchar(64)   not null,
    reason            varchar(64)   not null,
    status            varchar(32)   not null,
    requested_at      bigint        not null,
    started_at        bigint,
    finished_at       bigint,
    parent_version    varchar(64),
    candidate_version varchar(64),
    detail            varchar(4000)
);
