//! Record encoding: an entity and a relationship of typical size, to and
//! from the bytes stored in sled.
//!
//! Run: `cargo bench -p yata-core --bench codec -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use yata_core::codec::{decode_entity, decode_relationship, encode_entity, encode_relationship};
use yata_core::{Entity, Relationship};

fn entity() -> Entity {
    Entity {
        id: "src/auth/user-service.ts#UserService.getUserById".into(),
        entity_type: "method".into(),
        name: "getUserById".into(),
        namespace: "auth.user".into(),
        file_path: Some("src/auth/user-service.ts".into()),
        line: Some(42),
        description: Some("Loads a user by id from the cache, then from the repository. ユーザーを取得する".into()),
        metadata: r#"{"visibility":"public","async":true,"params":["id"]}"#.into(),
        created_at: 1_764_000_000_000,
        updated_at: 1_764_000_000_000,
    }
}

fn relationship() -> Relationship {
    Relationship {
        id: "rel-0001".into(),
        source_id: "src/auth/user-service.ts#UserService.getUserById".into(),
        target_id: "src/data/cache.ts#Cache.get".into(),
        rel_type: "calls".into(),
        weight: 1.0,
        metadata: "{}".into(),
        created_at: 1_764_000_000_000,
    }
}

fn bench_codec(c: &mut Criterion) {
    let entity = entity();
    let relationship = relationship();
    let entity_bytes = encode_entity(&entity);
    let relationship_bytes = encode_relationship(&relationship);

    let mut group = c.benchmark_group("codec");
    group.bench_function("encode_entity", |b| b.iter(|| encode_entity(black_box(&entity))));
    group.bench_function("decode_entity", |b| b.iter(|| decode_entity(&entity.id, black_box(&entity_bytes)).unwrap()));
    group.bench_function("encode_relationship", |b| b.iter(|| encode_relationship(black_box(&relationship))));
    group.bench_function("decode_relationship", |b| {
        b.iter(|| decode_relationship(&relationship.source_id, &relationship.id, black_box(&relationship_bytes)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_codec);
criterion_main!(benches);
