package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"sort"
	"time"
	"unsafe"
)

// Change says who makes a registry change and why; it is recorded in the
// change's audit event. A nil *Change means the store's actor and no
// reason.
type Change struct {
	Actor  string // "": the store's actor (Options.Actor, by default the login name)
	Reason string // free text, may be ""
}

// changeOpts fills a C change options struct (NULL for nil).
func changeOpts(ch *Change, cs *cstrings, o *C.mlops_change_opts) (*C.mlops_change_opts, error) {
	if ch == nil {
		return nil, nil
	}
	if err := call(func() C.int { return C.mlops_change_opts_init(o, C.MLOPS_CHANGE_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	o.actor = cs.opt(ch.Actor)
	o.reason = cs.opt(ch.Reason)
	return o, nil
}

// change runs a registry write that takes a change: f receives the C
// options (or NULL).
func (s *Store) change(cs *cstrings, ch *Change, f func(c *C.mlops_store, o *C.mlops_change_opts) C.int) error {
	var buf C.mlops_change_opts
	o, err := changeOpts(ch, cs, &buf)
	if err != nil {
		return err
	}
	return s.withs(cs, func(c *C.mlops_store) C.int { return f(c, o) })
}

// tagsFromC copies n tags read with at(i, &key, &value).
func tagsFromC(n C.size_t, at func(i C.size_t, k, v **C.char) C.int) map[string]string {
	tags := make(map[string]string, int(n))
	for i := C.size_t(0); i < n; i++ {
		var k, v *C.char
		if at(i, &k, &v) == C.MLOPS_OK {
			tags[C.GoString(k)] = goStr(v)
		}
	}
	return tags
}

// Model is a snapshot of a registered model.
type Model struct {
	Name        string
	Description string
	Created     time.Time
	Updated     time.Time // last change
	Deleted     time.Time // zero unless deleted
	MaxVersion  int64     // highest version ever created (deleted ones included), 0 if none
	Tags        map[string]string
	Aliases     map[string]int64 // alias -> version (reserved aliases are not listed)
}

func modelFromC(m *C.mlops_model) Model {
	md := Model{
		Name:        C.GoString(C.mlops_model_name(m)),
		Description: goStr(C.mlops_model_description(m)),
		Created:     msTime(C.mlops_model_created_ms(m)),
		Updated:     msTime(C.mlops_model_updated_ms(m)),
		Deleted:     msTime(C.mlops_model_deleted_ms(m)),
		MaxVersion:  int64(C.mlops_model_max_version(m)),
		Tags: tagsFromC(C.mlops_model_tag_count(m), func(i C.size_t, k, v **C.char) C.int {
			return C.mlops_model_tag_at(m, i, k, v)
		}),
		Aliases: make(map[string]int64),
	}
	for i, n := C.size_t(0), C.mlops_model_alias_count(m); i < n; i++ {
		var a *C.char
		var v C.int64_t
		if C.mlops_model_alias_at(m, i, &a, &v) == C.MLOPS_OK {
			md.Aliases[C.GoString(a)] = int64(v)
		}
	}
	return md
}

// CreateModel registers a model with no versions; description may be "".
func (s *Store) CreateModel(name, description string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	n, d := cs.str(name), cs.opt(description)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_create_ex(c, n, d, o)
	})
}

// RenameModel renames a model; its versions, aliases, tags and history
// follow it (signatures made under the old name no longer verify).
func (s *Store) RenameModel(name, newName string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	n, nn := cs.str(name), cs.str(newName)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_rename(c, n, nn, o)
	})
}

// DeleteModel deletes a model. With versions left it is ErrConflict
// unless force, which deletes them first.
func (s *Store) DeleteModel(name string, force bool, ch *Change) error {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	f := C.int(0)
	if force {
		f = 1
	}
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_delete(c, n, f, o)
	})
}

// SetModelDescription sets a model's description ("" clears it).
func (s *Store) SetModelDescription(name, description string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	n, d := cs.str(name), cs.opt(description)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_set_description(c, n, d, o)
	})
}

// SetModelTag sets tag key of a model to value.
func (s *Store) SetModelTag(name, key, value string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	n, k, v := cs.str(name), cs.str(key), cs.str(value)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_tag_set(c, n, k, v, o)
	})
}

// DeleteModelTag removes tag key of a model.
func (s *Store) DeleteModelTag(name, key string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	n, k := cs.str(name), cs.str(key)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_tag_delete(c, n, k, o)
	})
}

// Model returns the model name (not deleted) with its tags and aliases.
func (s *Store) Model(name string) (*Model, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var m *C.mlops_model
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_get(c, n, &m) }); err != nil {
		return nil, err
	}
	defer C.mlops_model_free(m)
	md := modelFromC(m)
	return &md, nil
}

// ModelSearch selects models for SearchModels.
type ModelSearch struct {
	NameGlob  string            // '*' any run, '?' one character, [abc] a set; "" all
	HasTags   []string          // models having these tags, any value
	Tags      map[string]string // models having these tags with these values
	Lifecycle Lifecycle         // active models by default
	// Deprecated: use Lifecycle: LifecycleAll. When set, Lifecycle must
	// be left active.
	IncludeDeleted bool
}

// SearchModels lists the models q selects (nil: every model not deleted),
// sorted by name.
func (s *Store) SearchModels(q *ModelSearch) ([]Model, error) {
	var o C.mlops_model_search_ex_opts
	var cs cstrings
	defer cs.free()
	if err := call(func() C.int {
		return C.mlops_model_search_ex_opts_init(&o, C.MLOPS_MODEL_SEARCH_EX_OPTS_VERSION)
	}); err != nil {
		return nil, err
	}
	if q != nil {
		o.name_glob = cs.opt(q.NameGlob)
		o.lifecycle = C.int(q.Lifecycle)
		if q.IncludeDeleted {
			if q.Lifecycle != LifecycleActive {
				return nil, &Error{Code: CodeInvalid, Message: "mlops: SearchModels: give Lifecycle or IncludeDeleted, not both"}
			}
			o.lifecycle = C.MLOPS_LIFECYCLE_ALL
		}
		n := len(q.HasTags) + len(q.Tags)
		if n > 0 {
			// The options struct is Go memory: the arrays it points at
			// must be C memory.
			psize := C.size_t(unsafe.Sizeof((*C.char)(nil)))
			keys := (**C.char)(C.malloc(C.size_t(n) * psize))
			vals := (**C.char)(C.malloc(C.size_t(n) * psize))
			defer C.free(unsafe.Pointer(keys))
			defer C.free(unsafe.Pointer(vals))
			ks, vs := unsafe.Slice(keys, n), unsafe.Slice(vals, n)
			i := 0
			for _, k := range q.HasTags {
				ks[i], vs[i] = cs.str(k), nil
				i++
			}
			tk := make([]string, 0, len(q.Tags))
			for k := range q.Tags {
				tk = append(tk, k)
			}
			sort.Strings(tk)
			for _, k := range tk {
				ks[i], vs[i] = cs.str(k), cs.str(q.Tags[k])
				i++
			}
			o.tag_keys = keys
			o.tag_values = vals
			o.ntags = C.size_t(n)
		}
	}
	var l *C.mlops_models
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_search_ex(c, &o, &l) }); err != nil {
		return nil, err
	}
	defer C.mlops_models_free(l)
	n := C.mlops_models_count(l)
	out := make([]Model, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		out = append(out, modelFromC(C.mlops_models_at(l, i)))
	}
	return out, nil
}

// VersionStatus is the status of a model version.
type VersionStatus int

const (
	VersionReady    VersionStatus = C.MLOPS_VERSION_READY
	VersionArchived VersionStatus = C.MLOPS_VERSION_ARCHIVED
)

func (v VersionStatus) String() string {
	switch v {
	case VersionReady:
		return "ready"
	case VersionArchived:
		return "archived"
	}
	return "unknown"
}

// Signature is an Ed25519 signature recorded on a version (recorded is not
// verified: use VerifyVersion).
type Signature struct {
	KeyFingerprint Digest // see KeyFingerprint
	Signature      [64]byte
	Signed         time.Time
}

// ModelVersion is a snapshot of one version of a model.
type ModelVersion struct {
	Model       string
	Version     int64
	Artifact    Digest
	RunID       string // "" when made by no run
	Description string
	Creator     string
	Status      VersionStatus
	Created     time.Time
	Updated     time.Time
	Deleted     time.Time // zero unless deleted
	Tags        map[string]string
	Signatures  []Signature // oldest first
}

func versionFromC(v *C.mlops_model_version) ModelVersion {
	mv := ModelVersion{
		Model:       C.GoString(C.mlops_model_version_model(v)),
		Version:     int64(C.mlops_model_version_number(v)),
		Artifact:    *(*Digest)(unsafe.Pointer(C.mlops_model_version_artifact(v))),
		RunID:       goStr(C.mlops_model_version_run_id(v)),
		Description: goStr(C.mlops_model_version_description(v)),
		Creator:     goStr(C.mlops_model_version_creator(v)),
		Status:      VersionStatus(C.mlops_model_version_status(v)),
		Created:     msTime(C.mlops_model_version_created_ms(v)),
		Updated:     msTime(C.mlops_model_version_updated_ms(v)),
		Deleted:     msTime(C.mlops_model_version_deleted_ms(v)),
		Tags: tagsFromC(C.mlops_model_version_tag_count(v), func(i C.size_t, k, val **C.char) C.int {
			return C.mlops_model_version_tag_at(v, i, k, val)
		}),
	}
	for i, n := C.size_t(0), C.mlops_model_version_signature_count(v); i < n; i++ {
		var sig Signature
		var ms C.int64_t
		if C.mlops_model_version_signature_at(v, i, sig.KeyFingerprint.c(),
			(*C.uchar)(unsafe.Pointer(&sig.Signature[0])), &ms) == C.MLOPS_OK {
			sig.Signed = msTime(ms)
			mv.Signatures = append(mv.Signatures, sig)
		}
	}
	return mv
}

// CreateVersion creates the next version of model pointing at artifact
// (which must be in the store), made by run runID ("" for none), and
// returns its number.
func (s *Store) CreateVersion(model string, artifact Digest, runID, description string, ch *Change) (int64, error) {
	var cs cstrings
	defer cs.free()
	m, r, d := cs.str(model), cs.opt(runID), cs.opt(description)
	var v C.int64_t
	err := s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_version_create_ex(c, m, artifact.c(), r, d, o, &v)
	})
	return int64(v), err
}

// ModelVersion returns version of model (deleted versions too).
func (s *Store) ModelVersion(model string, version int64) (*ModelVersion, error) {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	var v *C.mlops_model_version
	if err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_model_version_get(c, m, C.int64_t(version), &v)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_model_version_free(v)
	mv := versionFromC(v)
	return &mv, nil
}

// ModelVersions lists the versions of model by number.
func (s *Store) ModelVersions(model string, includeDeleted bool) ([]ModelVersion, error) {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	lc := C.int(C.MLOPS_LIFECYCLE_ACTIVE)
	if includeDeleted {
		lc = C.MLOPS_LIFECYCLE_ALL
	}
	var l *C.mlops_model_versions
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_version_list_ex(c, m, lc, &l) }); err != nil {
		return nil, err
	}
	defer C.mlops_model_versions_free(l)
	n := C.mlops_model_versions_count(l)
	out := make([]ModelVersion, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		out = append(out, versionFromC(C.mlops_model_versions_at(l, i)))
	}
	return out, nil
}

// SetVersionDescription sets a version's description ("" clears it).
func (s *Store) SetVersionDescription(model string, version int64, description string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, d := cs.str(model), cs.opt(description)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_version_set_description(c, m, C.int64_t(version), d, o)
	})
}

// SetVersionStatus sets a version's status.
func (s *Store) SetVersionStatus(model string, version int64, status VersionStatus, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_version_set_status(c, m, C.int64_t(version), C.int(status), o)
	})
}

// SetVersionTag sets tag key of a version to value.
func (s *Store) SetVersionTag(model string, version int64, key, value string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, k, v := cs.str(model), cs.str(key), cs.str(value)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_version_tag_set(c, m, C.int64_t(version), k, v, o)
	})
}

// DeleteVersionTag removes tag key of a version.
func (s *Store) DeleteVersionTag(model string, version int64, key string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, k := cs.str(model), cs.str(key)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_version_tag_delete(c, m, C.int64_t(version), k, o)
	})
}

// DeleteVersion deletes a version (its record is kept, marked deleted;
// aliases pointing at it are removed).
func (s *Store) DeleteVersion(model string, version int64, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_version_delete(c, m, C.int64_t(version), o)
	})
}

// SetAlias points alias of model at version, creating or moving it. A
// policy on the alias may refuse the version (ErrPolicy).
func (s *Store) SetAlias(model, alias string, version int64, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_alias_set_ex(c, m, a, C.int64_t(version), o)
	})
}

// Alias returns the version alias of model points at ("latest" and "v<N>"
// included).
func (s *Store) Alias(model, alias string) (int64, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	var v C.int64_t
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_alias_get(c, m, a, &v) })
	return int64(v), err
}

// DeleteAlias removes alias of model.
func (s *Store) DeleteAlias(model, alias string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_alias_delete(c, m, a, o)
	})
}

// Resolve resolves "name@alias" or "name/N" to a version and its artifact.
func (s *Store) Resolve(ref string) (int64, Digest, error) {
	var cs cstrings
	defer cs.free()
	r := cs.str(ref)
	var v C.int64_t
	var d Digest
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_resolve(c, r, &v, d.c()) })
	return int64(v), d, err
}

// SetAliasPolicy guards alias of model: from now on it may only point at a
// version signed by one of the trusted Ed25519 public keys (PEM texts).
func (s *Store) SetAliasPolicy(model, alias string, trustedPublicPEMs []string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	n := len(trustedPublicPEMs)
	var keys **C.char
	if n > 0 {
		keys = (**C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
		defer C.free(unsafe.Pointer(keys))
		for i, k := range trustedPublicPEMs {
			unsafe.Slice(keys, n)[i] = cs.str(k)
		}
	}
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_alias_policy_set(c, m, a, keys, C.size_t(n), o)
	})
}

// DeleteAliasPolicy removes the policy of alias of model.
func (s *Store) DeleteAliasPolicy(model, alias string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_alias_policy_delete(c, m, a, o)
	})
}

// AliasPolicy returns the fingerprints of the keys the policy of alias
// trusts, sorted by bytes.
func (s *Store) AliasPolicy(model, alias string) ([]Digest, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	var fp *C.mlops_digest
	var n C.size_t
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_alias_policy_get(c, m, a, &fp, &n) }); err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(fp))
	out := make([]Digest, int(n))
	if n > 0 {
		copy(out, unsafe.Slice((*Digest)(unsafe.Pointer(fp)), int(n)))
	}
	return out, nil
}

// KeyFingerprint returns the fingerprint of an Ed25519 key in PEM (private
// or public half: both give the same): the SHA-256 of its raw public key.
func KeyFingerprint(pem string) (Digest, error) {
	var cs cstrings
	defer cs.free()
	p := cs.str(pem)
	var d Digest
	if err := cs.check(); err != nil {
		return d, err
	}
	err := call(func() C.int { return C.mlops_key_fingerprint(p, d.c()) })
	return d, err
}

// VersionManifest returns the canonical bytes a signature of the version
// covers (for verifying with other tools).
func (s *Store) VersionManifest(model string, version int64) ([]byte, error) {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	var data unsafe.Pointer
	var n C.size_t
	if err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_model_version_manifest(c, m, C.int64_t(version), &data, &n)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_free(data)
	return goBytes(data, n), nil
}

// SignVersion signs a version with an Ed25519 private key (PEM "PRIVATE
// KEY", unencrypted) and records the signature.
func (s *Store) SignVersion(model string, version int64, privatePEM string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, k := cs.str(model), cs.str(privatePEM)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_version_sign(c, m, C.int64_t(version), k, o)
	})
}

// VerifyVersion checks that the version carries a signature by the public
// key (PEM "PUBLIC KEY") that verifies over its manifest as the store holds
// it now. ErrSignature when it does not.
func (s *Store) VerifyVersion(model string, version int64, publicPEM string) error {
	var cs cstrings
	defer cs.free()
	m, k := cs.str(model), cs.str(publicPEM)
	return s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_model_version_verify(c, m, C.int64_t(version), k)
	})
}

// VerifyVersionDeep is VerifyVersion, then re-hashes the bytes the store
// holds for the signed artifact digest (a blob in whole, a tree and all it
// names), as long as a Get. ErrCorrupt when they are not the artifact's.
func (s *Store) VerifyVersionDeep(model string, version int64, publicPEM string) error {
	var cs cstrings
	defer cs.free()
	m, k := cs.str(model), cs.str(publicPEM)
	return s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_model_version_verify_deep(c, m, C.int64_t(version), k)
	})
}

// AuditVerify walks the whole audit chain; ErrCorrupt names the first bad
// event or the object that disagrees with the log.
func (s *Store) AuditVerify() error {
	return s.with(func(c *C.mlops_store) C.int { return C.mlops_audit_verify(c) })
}

// AuditVerifyHead is AuditVerify that also checks that event headSeq has
// hash headHash (a head published earlier). firstBad is the first bad
// sequence number, 0 when the chain is intact.
func (s *Store) AuditVerifyHead(headSeq int64, headHash Digest) (firstBad int64, err error) {
	var fb C.int64_t
	err = s.with(func(c *C.mlops_store) C.int {
		return C.mlops_audit_verify_head(c, C.int64_t(headSeq), headHash.c(), &fb)
	})
	return int64(fb), err
}

// AuditCheckpoint signs the chain's current head with an Ed25519 private
// key (PEM "PRIVATE KEY", unencrypted) and records the signature as an
// "audit.checkpoint" event; it returns the sequence number signed.
// ErrNotFound on an empty log. An actor name proves nothing by itself; a
// checkpoint proves the log up to it to whoever trusts the key. Since
// libmlops 1.1.
func (s *Store) AuditCheckpoint(privatePEM string, ch *Change) (int64, error) {
	var cs cstrings
	defer cs.free()
	k := cs.str(privatePEM)
	var covered C.int64_t
	err := s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_audit_checkpoint(c, k, o, &covered)
	})
	return int64(covered), err
}

// AuditReport is what AuditVerifyCheckpoints found.
type AuditReport struct {
	Events      int64 // events walked
	FirstBad    int64 // first bad sequence number, 0 when the chain is intact
	Checkpoints int64 // valid checkpoint events
	AttestedSeq int64 // last event a checkpoint by a trusted key covers, 0 for none
	Unattested  int64 // events after AttestedSeq
}

// AuditVerifyCheckpoints is AuditVerify that also requires every checkpoint
// to verify over the head before it and, when trustedPublicPEMs is not
// empty, to be by one of those keys (ErrCorrupt otherwise). With minSeq >
// 0, ErrSignature unless a checkpoint by a trusted key covers event
// minSeq. The report says how far the log is attested, also on failure.
// Since libmlops 1.1.
func (s *Store) AuditVerifyCheckpoints(trustedPublicPEMs []string, minSeq int64) (AuditReport, error) {
	var cs cstrings
	defer cs.free()
	n := len(trustedPublicPEMs)
	var keys **C.char
	if n > 0 {
		keys = (**C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
		defer C.free(unsafe.Pointer(keys))
		for i, k := range trustedPublicPEMs {
			unsafe.Slice(keys, n)[i] = cs.str(k)
		}
	}
	var o C.mlops_audit_verify_opts
	var r C.mlops_audit_report
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		if rc := C.mlops_audit_verify_opts_init(&o, C.MLOPS_AUDIT_VERIFY_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_audit_report_init(&r, C.MLOPS_AUDIT_REPORT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		o.trusted_keys = keys
		o.n_trusted_keys = C.size_t(n)
		o.min_seq = C.int64_t(minSeq)
		return C.mlops_audit_verify_ex(c, &o, &r)
	})
	return AuditReport{
		Events: int64(r.events), FirstBad: int64(r.first_bad), Checkpoints: int64(r.checkpoints),
		AttestedSeq: int64(r.attested_seq), Unattested: int64(r.unattested),
	}, err
}

// AuditHead returns the chain's head: the last sequence number and its
// hash (0 and zero for an empty log).
func (s *Store) AuditHead() (int64, Digest, error) {
	var seq C.int64_t
	var d Digest
	err := s.with(func(c *C.mlops_store) C.int { return C.mlops_audit_head(c, &seq, d.c()) })
	return int64(seq), d, err
}

// AuditEvent is one event of the audit log (registry.h lists the actions).
type AuditEvent struct {
	Seq      int64
	Time     time.Time
	Actor    string
	Action   string // e.g. "version.create", "alias.move"
	Model    string
	Version  int64 // 0 for none
	Key      string
	OldValue string
	NewValue string
	Reason   string
	Hash     Digest // this event's chain hash
}

func eventsFromC(l *C.mlops_audit_events) ([]AuditEvent, error) {
	n := C.mlops_audit_events_count(l)
	out := make([]AuditEvent, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		var ev C.mlops_audit_event
		if err := call(func() C.int {
			if rc := C.mlops_audit_event_init(&ev, C.MLOPS_AUDIT_EVENT_VERSION); rc != C.MLOPS_OK {
				return rc
			}
			return C.mlops_audit_events_get(l, i, &ev)
		}); err != nil {
			return nil, err
		}
		out = append(out, AuditEvent{
			Seq: int64(ev.seq), Time: msTime(ev.time_ms), Actor: goStr(ev.actor), Action: goStr(ev.action),
			Model: goStr(ev.model), Version: int64(ev.model_version), Key: goStr(ev.key),
			OldValue: goStr(ev.old_value), NewValue: goStr(ev.new_value), Reason: goStr(ev.reason),
			Hash: *(*Digest)(unsafe.Pointer(&ev.hash)),
		})
	}
	return out, nil
}

// ModelEvents returns the audit events of model name (through renames),
// oldest first.
func (s *Store) ModelEvents(name string) ([]AuditEvent, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var l *C.mlops_audit_events
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_audit_model_events(c, n, &l) }); err != nil {
		return nil, err
	}
	defer C.mlops_audit_events_free(l)
	return eventsFromC(l)
}

// AuditEvents returns up to limit events (0: no limit) after afterSeq,
// oldest first, for paging through the whole log.
func (s *Store) AuditEvents(afterSeq int64, limit int) ([]AuditEvent, error) {
	if limit < 0 {
		return nil, &Error{Code: CodeInvalid, Message: "mlops: AuditEvents: negative limit"}
	}
	var l *C.mlops_audit_events
	if err := s.with(func(c *C.mlops_store) C.int {
		return C.mlops_audit_list(c, C.int64_t(afterSeq), C.size_t(limit), &l)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_audit_events_free(l)
	return eventsFromC(l)
}

// AliasAt returns the version alias of model pointed at as of time t, read
// from the audit log.
func (s *Store) AliasAt(model, alias string, t time.Time) (int64, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	var v C.int64_t
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_audit_alias_at(c, m, a, C.int64_t(t.UnixMilli()), &v)
	})
	return int64(v), err
}

// VersionLineage is how a version was made: its run (nil when none) and
// the run's inputs.
type VersionLineage struct {
	Version  int64
	Artifact Digest
	Run      *RunInfo
	Inputs   []LineageEdge
}

// VersionLineage returns everything recorded about how a version was made.
func (s *Store) VersionLineage(model string, version int64) (*VersionLineage, error) {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	var l *C.mlops_version_lineage
	if err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_model_version_lineage(c, m, C.int64_t(version), &l)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_version_lineage_free(l)
	var n C.size_t
	in := C.mlops_version_lineage_inputs(l, &n)
	vl := &VersionLineage{
		Version:  int64(C.mlops_version_lineage_version(l)),
		Artifact: *(*Digest)(unsafe.Pointer(C.mlops_version_lineage_artifact(l))),
		Inputs:   edgesFromC(in, n),
	}
	if ri := C.mlops_version_lineage_run(l); ri != nil {
		info := runInfoFromC(ri)
		vl.Run = &info
	}
	return vl, nil
}
