//! The embedded store, `dir:PATH`: a folder per bucket, a file per object.
//!
//! Layout, for the object `<key>` of `<bucket>`:
//!
//! - `PATH/<bucket>/<key>`: the content; each `/` in the key is a subfolder.
//! - `PATH/.ferret/<bucket>/<folder>.d/.../<name>.json`: the object's sidecar (tags,
//!   content type, user metadata, encryption setting, ETag). It lives in a parallel tree
//!   so that listings never see it; folders there take a `.d` suffix and files a `.json`
//!   one, so a folder and a file can never want the same name (`a` beside `a.json/b`).
//! - `PATH/.ferret/<bucket>.bucket.json`: the settings `ensure_bucket` recorded.
//!
//! A sidecar is a JSON object: `stamp` (below), `e_tag`, `content_type`, `metadata`
//! (lower-case keys), `encryption` (`{"algorithm", "kms_key_id"}` or null) and `tags`.
//!
//! Files put into a bucket folder by hand are objects too: no sidecar, no tags, no
//! content type, and an ETag computed from the content when asked for.
//!
//! **Atomicity.** Content is written to a temporary file (`.ferret-tmp-*`, never listed)
//! in the destination folder and flushed to disk; then the sidecar is written (temporary
//! file and rename) with a *stamp* of that temporary file: size, modification time and
//! inode, which a rename keeps; then the content is renamed into place and the folder
//! flushed. A sidecar counts only while its stamp matches the file at the key, so the
//! rename of the content is the single commit point: an object appears with its tags and
//! attributes at once, and an interrupted write leaves a temporary file and perhaps an
//! orphan sidecar, neither of which is seen. (Replacing an existing object can, if
//! interrupted between the two renames, leave the old content without its sidecar.) A
//! file changed in place behind the store's back also loses its stale sidecar.
//!
//! Moves are copy-verify-delete through [`Store`], as on S3; the rename inside `copy` is
//! what makes each step atomic. Files the store writes are readable by their owner only.
//! Empty folders left by deletes are kept: they are not objects, and removing them would
//! race with concurrent writes below them. Paths are Unix paths: `\` is an ordinary
//! character of a key. Keys cannot name a path outside the bucket's folder; symbolic
//! links are not objects (listings skip them), and the store trusts whoever can write
//! its folder not to plant them.

use std::collections::BTreeMap;
use std::fs::{self, File, Metadata};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use super::{
    check_tags, BucketSettings, Encryption, ObjectHead, ObjectInfo, ObjectWriter, Store,
    StoreError, StoreFuture, Tags,
};

/// The prefix of temporary files, skipped by listings and refused in keys.
pub const TEMP_PREFIX: &str = ".ferret-tmp-";
/// The folder under the root that holds sidecars and bucket settings.
const META_DIR: &str = ".ferret";
const SIDECAR_SUFFIX: &str = ".json";
const SIDECAR_DIR_SUFFIX: &str = ".d";
const BUCKET_SETTINGS_SUFFIX: &str = ".bucket.json";
/// S3's limit on key length, in bytes.
const MAX_KEY_BYTES: usize = 1024;
/// The longest key segment: common file systems allow 255 bytes per name, less the
/// sidecar's suffix.
const MAX_SEGMENT_BYTES: usize = 255 - SIDECAR_SUFFIX.len();
/// Read buffer for copies: large enough that big files copy at disk speed.
const COPY_BUFFER: usize = 1 << 20;

/// The embedded store rooted at a folder. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DirStore {
    root: Arc<PathBuf>,
}

/// Where an object and its sidecar live; made only from a valid bucket and key.
#[derive(Debug, Clone)]
struct Location {
    bucket: String,
    key: String,
    bucket_dir: PathBuf,
    bucket_settings: PathBuf,
    object: PathBuf,
    sidecar: PathBuf,
}

/// What identifies the file a sidecar describes. A rename keeps all three; rewriting the
/// file changes at least the modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    modified_secs: u64,
    modified_nanos: u32,
    inode: u64,
}

/// What the store keeps beside an object.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sidecar {
    stamp: Stamp,
    e_tag: String,
    content_type: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    encryption: Option<StoredEncryption>,
    #[serde(default)]
    tags: Tags,
}

/// What a write gives the new object besides its content.
#[derive(Debug, Default)]
struct Attributes {
    content_type: Option<String>,
    metadata: BTreeMap<String, String>,
    encryption: Option<Encryption>,
    tags: Tags,
}

/// [`Encryption`] on disk: the on-disk format stays put if the API type changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredEncryption {
    algorithm: String,
    kms_key_id: Option<String>,
}

/// [`BucketSettings`] on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredBucket {
    encryption: StoredEncryption,
    expire_after_days: Option<u32>,
}

impl DirStore {
    /// A store rooted at `root`. Nothing is created until a bucket is.
    pub fn new(root: impl Into<PathBuf>) -> DirStore {
        DirStore {
            root: Arc::new(root.into()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs blocking file work off the async runtime's workers.
    async fn blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce() -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        match tokio::task::spawn_blocking(work).await {
            Ok(result) => result,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(StoreError::Io {
                path: self.root.display().to_string(),
                error: io::Error::other(error),
            }),
        }
    }

    fn bucket_dir(&self, bucket: &str) -> Result<PathBuf, StoreError> {
        check_bucket(bucket)?;
        Ok(self.root.join(bucket))
    }

    fn bucket_settings(&self, bucket: &str) -> PathBuf {
        self.root
            .join(META_DIR)
            .join(format!("{bucket}{BUCKET_SETTINGS_SUFFIX}"))
    }

    fn locate(&self, bucket: &str, key: &str) -> Result<Location, StoreError> {
        let bucket_dir = self.bucket_dir(bucket)?;
        let segments = check_key(bucket, key)?;
        let mut object = bucket_dir.clone();
        let mut sidecar = self.root.join(META_DIR).join(bucket);
        for (i, segment) in segments.iter().enumerate() {
            object.push(segment);
            if i + 1 == segments.len() {
                sidecar.push(format!("{segment}{SIDECAR_SUFFIX}"));
            } else {
                sidecar.push(format!("{segment}{SIDECAR_DIR_SUFFIX}"));
            }
        }
        Ok(Location {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            bucket_settings: self.bucket_settings(bucket),
            bucket_dir,
            object,
            sidecar,
        })
    }

    fn list_in(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let dir = self.bucket_dir(bucket)?;
        require_bucket(bucket, &dir)?;
        let mut objects = Vec::new();
        self.walk(bucket, &dir, "", prefix, &mut objects)?;
        // Folder order is not key order (`a-b` sorts before `a/b`): sort the keys.
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    /// Collects the objects under `dir`, whose keys start with `dir_key`, that match
    /// `prefix`; descends only into folders that can hold such keys. Entries that vanish
    /// during the walk (a concurrent delete) are skipped.
    fn walk(
        &self,
        bucket: &str,
        dir: &Path,
        dir_key: &str,
        prefix: &str,
        objects: &mut Vec<ObjectInfo>,
    ) -> Result<(), StoreError> {
        let listing_error = |path: &Path, error| StoreError::Io {
            path: path.display().to_string(),
            error,
        };
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if is_absent(&e) => return Ok(()),
            Err(e) => return Err(listing_error(dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| listing_error(dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(StoreError::Invalid {
                    bucket: bucket.to_owned(),
                    key: format!("{dir_key}{}", name.to_string_lossy()),
                    message: "file name is not UTF-8, so it cannot be a key".to_owned(),
                });
            };
            if name.starts_with(TEMP_PREFIX) {
                continue;
            }
            let key = format!("{dir_key}{name}");
            let metadata = match entry.metadata() {
                Ok(metadata) => metadata,
                Err(e) if is_absent(&e) => continue,
                Err(e) => return Err(listing_error(&entry.path(), e)),
            };
            if metadata.is_dir() {
                let folder_key = format!("{key}/");
                if folder_key.starts_with(prefix) || prefix.starts_with(&folder_key) {
                    self.walk(bucket, &entry.path(), &folder_key, prefix, objects)?;
                }
            } else if metadata.is_file() && key.starts_with(prefix) {
                let e_tag = self.listed_e_tag(bucket, &key, stamp(&metadata));
                objects.push(ObjectInfo {
                    key,
                    size: metadata.len(),
                    e_tag,
                });
            }
        }
        Ok(())
    }

    /// The ETag a listing shows: the sidecar's, when it describes the file. Listings do
    /// not hash files put there by hand (`head` does).
    fn listed_e_tag(&self, bucket: &str, key: &str, stamp: Stamp) -> Option<String> {
        let at = self.locate(bucket, key).ok()?;
        Some(at.current_sidecar(stamp).ok()??.e_tag)
    }

    fn ensure_bucket_at(&self, bucket: &str, settings: &BucketSettings) -> Result<(), StoreError> {
        let dir = self.bucket_dir(bucket)?;
        let bucket_error = |path: &Path, error| StoreError::Io {
            path: path.display().to_string(),
            error,
        };
        fs::create_dir_all(&dir).map_err(|e| bucket_error(&dir, e))?;
        let path = self.bucket_settings(bucket);
        let stored = StoredBucket {
            encryption: settings.encryption.clone().into(),
            expire_after_days: settings.expire_after_days,
        };
        write_json(&path, &stored).map_err(|e| bucket_error(&path, e))
    }
}

/// The store's requests as plain `async` methods; the [`Store`] impl boxes them.
impl DirStore {
    pub async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let (store, bucket, prefix) = (self.clone(), bucket.to_owned(), prefix.to_owned());
        self.blocking(move || store.list_in(&bucket, &prefix)).await
    }

    pub async fn head(&self, bucket: &str, key: &str) -> Result<Option<ObjectHead>, StoreError> {
        let at = self.locate(bucket, key)?;
        self.blocking(move || at.head()).await
    }

    pub async fn tags(&self, bucket: &str, key: &str) -> Result<Tags, StoreError> {
        let at = self.locate(bucket, key)?;
        self.blocking(move || at.tags()).await
    }

    pub async fn copy(
        &self,
        from: (&str, &str),
        to: (&str, &str),
        tags: &Tags,
    ) -> Result<ObjectHead, StoreError> {
        let from = self.locate(from.0, from.1)?;
        let to = self.locate(to.0, to.1)?;
        let tags = tags.clone();
        self.blocking(move || to.copy_from(&from, tags)).await
    }

    pub async fn set_tags(&self, bucket: &str, key: &str, tags: &Tags) -> Result<(), StoreError> {
        let at = self.locate(bucket, key)?;
        let tags = tags.clone();
        self.blocking(move || at.set_tags(tags)).await
    }

    pub async fn delete(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        let at = self.locate(bucket, key)?;
        self.blocking(move || at.delete()).await
    }

    pub async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        let at = self.locate(bucket, key)?;
        let content_type = content_type.to_owned();
        self.blocking(move || at.put(&body, content_type)).await
    }

    pub async fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let at = self.locate(bucket, key)?;
        self.blocking(move || at.read()).await
    }

    pub async fn ensure_bucket(
        &self,
        bucket: &str,
        settings: &BucketSettings,
    ) -> Result<(), StoreError> {
        let (store, bucket, settings) = (self.clone(), bucket.to_owned(), settings.clone());
        self.blocking(move || store.ensure_bucket_at(&bucket, &settings))
            .await
    }
}

impl Store for DirStore {
    fn describe(&self) -> String {
        format!("dir:{}", self.root.display())
    }

    fn list<'a>(&'a self, bucket: &'a str, prefix: &'a str) -> StoreFuture<'a, Vec<ObjectInfo>> {
        Box::pin(DirStore::list(self, bucket, prefix))
    }

    fn head<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Option<ObjectHead>> {
        Box::pin(DirStore::head(self, bucket, key))
    }

    fn tags<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Tags> {
        Box::pin(DirStore::tags(self, bucket, key))
    }

    fn copy<'a>(
        &'a self,
        from: (&'a str, &'a str),
        to: (&'a str, &'a str),
        tags: &'a Tags,
    ) -> StoreFuture<'a, ObjectHead> {
        Box::pin(DirStore::copy(self, from, to, tags))
    }

    fn set_tags<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        tags: &'a Tags,
    ) -> StoreFuture<'a, ()> {
        Box::pin(DirStore::set_tags(self, bucket, key, tags))
    }

    fn delete<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(DirStore::delete(self, bucket, key))
    }

    fn put<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        body: Vec<u8>,
        content_type: &'a str,
    ) -> StoreFuture<'a, ()> {
        Box::pin(DirStore::put(self, bucket, key, body, content_type))
    }

    fn get<'a>(&'a self, bucket: &'a str, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(DirStore::get(self, bucket, key))
    }

    fn ensure_bucket<'a>(
        &'a self,
        bucket: &'a str,
        settings: &'a BucketSettings,
    ) -> StoreFuture<'a, ()> {
        Box::pin(DirStore::ensure_bucket(self, bucket, settings))
    }

    /// The embedded store reads the source's sidecar as part of the copy anyway: the
    /// head given is only the caller's, for verifying the copy.
    fn copy_with_head<'a>(
        &'a self,
        from: (&'a str, &'a str),
        _head: &'a ObjectHead,
        to: (&'a str, &'a str),
        tags: &'a Tags,
    ) -> StoreFuture<'a, ObjectHead> {
        Box::pin(DirStore::copy(self, from, to, tags))
    }

    fn open(&self, bucket: &str, key: &str) -> Result<Box<dyn Read + Send>, StoreError> {
        let at = self.locate(bucket, key)?;
        let (file, _) = at.open()?.ok_or_else(|| at.missing())?;
        Ok(Box::new(file))
    }

    fn open_with_head(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<(ObjectHead, Box<dyn Read + Send>), StoreError> {
        let at = self.locate(bucket, key)?;
        let (file, stamp) = at.open()?.ok_or_else(|| at.missing())?;
        // A file put there by hand has no sidecar: its ETag is hashed from a second
        // handle, so the first still reads from the start.
        let head = match at.current_sidecar(stamp)? {
            Some(sidecar) => sidecar.head(),
            None => {
                let (again, _) = at.open()?.ok_or_else(|| at.missing())?;
                at.sidecar_or_plain(again, stamp)?.head()
            }
        };
        Ok((head, Box::new(file)))
    }

    fn create(
        &self,
        bucket: &str,
        key: &str,
        content_type: &str,
    ) -> Result<Box<dyn ObjectWriter>, StoreError> {
        let at = self.locate(bucket, key)?;
        let temp = at.begin()?;
        Ok(Box::new(DirUpload {
            at,
            temp: Md5Writer {
                inner: temp,
                md5: Md5::new(),
            },
            content_type: content_type.to_owned(),
        }))
    }
}

impl Location {
    fn tags(&self) -> Result<Tags, StoreError> {
        let (_, stamp) = self.open()?.ok_or_else(|| self.missing())?;
        Ok(self
            .current_sidecar(stamp)?
            .map(|sidecar| sidecar.tags)
            .unwrap_or_default())
    }

    /// A new object with no tags or metadata, encrypted as the bucket's default says.
    fn put(&self, body: &[u8], content_type: String) -> Result<(), StoreError> {
        let attributes = Attributes {
            content_type: Some(content_type),
            encryption: self.default_encryption()?,
            ..Attributes::default()
        };
        self.write(body, attributes)
    }

    /// The encryption `ensure_bucket` recorded as the bucket's default, which new
    /// objects get unless they carry their own (as on S3).
    fn default_encryption(&self) -> Result<Option<Encryption>, StoreError> {
        let path = &self.bucket_settings;
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(self.io_error(path, e)),
        };
        let settings: StoredBucket = serde_json::from_slice(&bytes)
            .map_err(|e| self.io_error(path, io::Error::new(io::ErrorKind::InvalidData, e)))?;
        Ok(Some(settings.encryption.into()))
    }

    /// Writes an object atomically (see the module documentation): content to a
    /// temporary file, the sidecar stamped with that file, then the rename.
    fn write(&self, content: impl Read, attributes: Attributes) -> Result<(), StoreError> {
        let mut temp = self.begin()?;
        let e_tag =
            md5_e_tag(content, temp.as_file_mut()).map_err(|e| self.io_error(temp.path(), e))?;
        self.commit(temp, e_tag, attributes)
    }

    /// The temporary file a write fills, in the destination's folder (so the final
    /// rename stays within one file system).
    fn begin(&self) -> Result<tempfile::NamedTempFile, StoreError> {
        require_bucket(&self.bucket, &self.bucket_dir)?;
        let folder = parent(&self.object);
        fs::create_dir_all(folder).map_err(|e| self.io_error(folder, e))?;
        tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(folder)
            .map_err(|e| self.io_error(folder, e))
    }

    /// Makes a filled temporary file the object: flushed, sidecar stamped with it,
    /// renamed into place, folder flushed.
    fn commit(
        &self,
        temp: tempfile::NamedTempFile,
        e_tag: String,
        attributes: Attributes,
    ) -> Result<(), StoreError> {
        let folder = parent(&self.object);
        temp.as_file()
            .sync_all()
            .map_err(|e| self.io_error(temp.path(), e))?;
        let metadata = temp
            .as_file()
            .metadata()
            .map_err(|e| self.io_error(temp.path(), e))?;
        let sidecar = Sidecar {
            stamp: stamp(&metadata),
            e_tag,
            content_type: attributes.content_type,
            metadata: attributes.metadata,
            encryption: attributes.encryption.map(StoredEncryption::from),
            tags: attributes.tags,
        };
        write_json(&self.sidecar, &sidecar).map_err(|e| self.io_error(&self.sidecar, e))?;
        temp.persist(&self.object)
            .map_err(|e| self.io_error(&self.object, e.error))?;
        sync_dir(folder).map_err(|e| self.io_error(folder, e))
    }

    fn head(&self) -> Result<Option<ObjectHead>, StoreError> {
        match self.open()? {
            Some((file, stamp)) => Ok(Some(self.sidecar_or_plain(file, stamp)?.head())),
            None => self.absent(),
        }
    }

    /// Copies `from` here, streaming; see [`Location::write`].
    fn copy_from(&self, from: &Location, tags: Tags) -> Result<ObjectHead, StoreError> {
        check_tags(&self.bucket, &self.key, &tags)?;
        let (file, stamp) = from.open()?.ok_or_else(|| from.missing())?;
        let source = from.current_sidecar(stamp)?;
        let (content_type, metadata, encryption) = match source {
            Some(s) => (
                s.content_type,
                s.metadata,
                s.encryption.map(Encryption::from),
            ),
            None => (None, BTreeMap::new(), None),
        };
        let attributes = Attributes {
            content_type,
            metadata,
            encryption: encryption.map_or_else(|| self.default_encryption(), |e| Ok(Some(e)))?,
            tags,
        };
        self.write(BufReader::with_capacity(COPY_BUFFER, file), attributes)?;
        self.head()?.ok_or_else(|| StoreError::Io {
            path: self.object.display().to_string(),
            error: io::Error::new(io::ErrorKind::NotFound, "the copy vanished once written"),
        })
    }

    fn set_tags(&self, tags: Tags) -> Result<(), StoreError> {
        check_tags(&self.bucket, &self.key, &tags)?;
        let (file, stamp) = self.open()?.ok_or_else(|| self.missing())?;
        let mut sidecar = self.sidecar_or_plain(file, stamp)?;
        sidecar.tags = tags;
        write_json(&self.sidecar, &sidecar).map_err(|e| self.io_error(&self.sidecar, e))
    }

    fn delete(&self) -> Result<(), StoreError> {
        require_bucket(&self.bucket, &self.bucket_dir)?;
        for path in [&self.object, &self.sidecar] {
            match fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if is_absent(&e) || path.is_dir() => {}
                Err(e) => return Err(self.io_error(path, e)),
            }
        }
        Ok(())
    }

    fn read(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let Some((mut file, stamp)) = self.open()? else {
            return self.absent();
        };
        let mut content = Vec::with_capacity(usize::try_from(stamp.size).unwrap_or(0));
        file.read_to_end(&mut content)
            .map_err(|e| self.io_error(&self.object, e))?;
        Ok(Some(content))
    }

    /// The error for a missing object: its bucket's, if that is missing too.
    fn missing(&self) -> StoreError {
        match require_bucket(&self.bucket, &self.bucket_dir) {
            Ok(()) => StoreError::NoSuchObject {
                bucket: self.bucket.clone(),
                key: self.key.clone(),
            },
            Err(error) => error,
        }
    }

    /// `Ok(None)` for a missing object, an error for a missing bucket.
    fn absent<T>(&self) -> Result<Option<T>, StoreError> {
        require_bucket(&self.bucket, &self.bucket_dir)?;
        Ok(None)
    }

    /// The object's file, open, with its stamp; `None` when there is no file at the key
    /// (a folder is not an object).
    fn open(&self) -> Result<Option<(File, Stamp)>, StoreError> {
        let file = match File::open(&self.object) {
            Ok(file) => file,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(self.io_error(&self.object, e)),
        };
        let metadata = file
            .metadata()
            .map_err(|e| self.io_error(&self.object, e))?;
        if !metadata.is_file() {
            return Ok(None);
        }
        Ok(Some((file, stamp(&metadata))))
    }

    /// The sidecar describing the file with `stamp`, if there is one.
    fn current_sidecar(&self, stamp: Stamp) -> Result<Option<Sidecar>, StoreError> {
        let bytes = match fs::read(&self.sidecar) {
            Ok(bytes) => bytes,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(self.io_error(&self.sidecar, e)),
        };
        let sidecar: Sidecar = serde_json::from_slice(&bytes).map_err(|e| {
            self.io_error(&self.sidecar, io::Error::new(io::ErrorKind::InvalidData, e))
        })?;
        Ok(Some(sidecar).filter(|s| s.stamp == stamp))
    }

    /// The sidecar of an open object, or a new one for a file put there by hand.
    fn sidecar_or_plain(&self, file: File, stamp: Stamp) -> Result<Sidecar, StoreError> {
        if let Some(sidecar) = self.current_sidecar(stamp)? {
            return Ok(sidecar);
        }
        let e_tag = md5_e_tag(BufReader::with_capacity(COPY_BUFFER, file), io::sink())
            .map_err(|e| self.io_error(&self.object, e))?;
        Ok(Sidecar {
            stamp,
            e_tag,
            content_type: None,
            metadata: BTreeMap::new(),
            encryption: None,
            tags: Tags::new(),
        })
    }

    /// An I/O failure on `path`, one of this object's files.
    fn io_error(&self, path: &Path, error: io::Error) -> StoreError {
        if error.kind() == io::ErrorKind::PermissionDenied {
            return StoreError::AccessDenied {
                bucket: self.bucket.clone(),
                key: self.key.clone(),
            };
        }
        StoreError::Io {
            path: path.display().to_string(),
            error,
        }
    }
}

/// A new object being streamed into a temporary file; [`ObjectWriter::commit`] renames
/// it into place, and dropping it uncommitted removes the temporary file.
struct DirUpload {
    at: Location,
    temp: Md5Writer<tempfile::NamedTempFile>,
    content_type: String,
}

impl Write for DirUpload {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

impl ObjectWriter for DirUpload {
    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let DirUpload {
            at,
            temp,
            content_type,
        } = *self;
        let attributes = Attributes {
            content_type: Some(content_type),
            encryption: at.default_encryption()?,
            ..Attributes::default()
        };
        at.commit(temp.inner, quoted_hex(temp.md5), attributes)
    }
}

impl Sidecar {
    fn head(self) -> ObjectHead {
        ObjectHead {
            size: self.stamp.size,
            e_tag: Some(self.e_tag),
            content_type: self.content_type,
            metadata: self.metadata,
            encryption: self.encryption.map(Encryption::from),
        }
    }
}

impl From<Encryption> for StoredEncryption {
    fn from(e: Encryption) -> StoredEncryption {
        StoredEncryption {
            algorithm: e.algorithm,
            kms_key_id: e.kms_key_id,
        }
    }
}

impl From<StoredEncryption> for Encryption {
    fn from(e: StoredEncryption) -> Encryption {
        Encryption {
            algorithm: e.algorithm,
            kms_key_id: e.kms_key_id,
        }
    }
}

/// S3's bucket naming rules (3 to 63 lower-case letters, digits, dots and hyphens,
/// starting and ending with a letter or digit), which also keep a bucket name from being
/// a path (`..`, `/`) or the store's own `.ferret` folder. Names ending in `.bucket.json`
/// are refused too: they would clash with another bucket's settings file.
fn check_bucket(bucket: &str) -> Result<(), StoreError> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let valid = (3..=63).contains(&bucket.len())
        && bucket.chars().all(allowed)
        && edge(bucket.chars().next())
        && edge(bucket.chars().last())
        && !bucket.contains("..")
        && !bucket.ends_with(BUCKET_SETTINGS_SUFFIX);
    if valid {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            bucket: bucket.to_owned(),
            key: String::new(),
            message: "not a valid bucket name".to_owned(),
        })
    }
}

/// Splits a key into path segments, refusing any key that could leave its bucket's
/// folder or alias another key: empty segments (absolute keys, `//`, a trailing `/`),
/// `.` and `..`, NUL, the temporary-file prefix, and names too long for the file system.
fn check_key<'k>(bucket: &str, key: &'k str) -> Result<Vec<&'k str>, StoreError> {
    let invalid = |message: String| StoreError::Invalid {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        message,
    };
    if key.len() > MAX_KEY_BYTES {
        return Err(invalid(format!("key longer than {MAX_KEY_BYTES} bytes")));
    }
    if key.contains('\0') {
        return Err(invalid("key contains NUL".to_owned()));
    }
    let segments: Vec<&str> = key.split('/').collect();
    for segment in &segments {
        let problem = match *segment {
            "" => "empty path segment (empty key, leading, trailing or doubled '/')",
            "." | ".." => "'.' and '..' segments are not allowed",
            s if s.starts_with(TEMP_PREFIX) => "segment uses the temporary-file prefix",
            s if s.len() > MAX_SEGMENT_BYTES => "path segment too long for the file system",
            _ => continue,
        };
        return Err(invalid(problem.to_owned()));
    }
    Ok(segments)
}

fn stamp(metadata: &Metadata) -> Stamp {
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .unwrap_or_default();
    Stamp {
        size: metadata.len(),
        modified_secs: modified.as_secs(),
        modified_nanos: modified.subsec_nanos(),
        inode: inode(metadata),
    }
}

#[cfg(unix)]
fn inode(metadata: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(metadata)
}

#[cfg(not(unix))]
fn inode(_: &Metadata) -> u64 {
    0
}

/// Copies `content` into `sink`, returning the S3-style ETag: the hex MD5 of the bytes,
/// in quotes.
fn md5_e_tag(mut content: impl Read, sink: impl Write) -> io::Result<String> {
    let mut writer = Md5Writer {
        inner: sink,
        md5: Md5::new(),
    };
    io::copy(&mut content, &mut writer)?;
    Ok(quoted_hex(writer.md5))
}

/// The S3-style ETag of what `md5` hashed: the hex digest, in quotes.
fn quoted_hex(md5: Md5) -> String {
    let hex: String = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// A writer that hashes what it passes on.
struct Md5Writer<W> {
    inner: W,
    md5: Md5,
}

impl<W: Write> Write for Md5Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.md5.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `value` as JSON to `path` atomically: temporary file, flush, rename.
fn write_json(path: &Path, value: &impl Serialize) -> io::Result<()> {
    let folder = parent(path);
    fs::create_dir_all(folder)?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(folder)?;
    let json = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    temp.write_all(&json)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(folder)
}

/// Flushes a folder, so that a rename into it survives a power loss.
#[cfg(unix)]
fn sync_dir(folder: &Path) -> io::Result<()> {
    File::open(folder)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_: &Path) -> io::Result<()> {
    Ok(())
}

/// The folder holding `path`; every path here is below the root, so it has one.
fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(path)
}

/// Nothing at the path: missing, or a parent that is a file (key `a/b` beside object `a`).
fn is_absent(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

fn require_bucket(bucket: &str, dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err(StoreError::NoSuchBucket {
            bucket: bucket.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_leave_the_bucket_are_refused() {
        for key in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/",
            "./a",
            "a/./b",
            "a\0b",
            ".ferret-tmp-1",
        ] {
            assert!(
                matches!(check_key("b", key), Err(StoreError::Invalid { .. })),
                "{key:?}"
            );
        }
        let long = "x".repeat(MAX_SEGMENT_BYTES + 1);
        assert!(check_key("b", &long).is_err());
        assert_eq!(
            check_key("b", "données/é+1 (copy).csv").ok(),
            Some(vec!["données", "é+1 (copy).csv"])
        );
        assert!(check_key("b", "..a/b..").is_ok());
    }

    #[test]
    fn bucket_names_follow_s3_rules() {
        for bad in [
            "",
            "ab",
            ".ferret",
            "..",
            "a/b",
            "Upper",
            "-ab",
            "ab-",
            "a..b",
            "x.bucket.json",
        ] {
            assert!(check_bucket(bad).is_err(), "{bad:?}");
        }
        for good in ["raw", "p-data-pipeline-scan-stage", "a.b-c"] {
            assert!(check_bucket(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn sidecar_folders_and_files_cannot_clash() {
        let store = DirStore::new("/root");
        let file = store.locate("bkt", "a").expect("valid");
        let nested = store.locate("bkt", "a.json/b").expect("valid");
        assert_eq!(file.sidecar, Path::new("/root/.ferret/bkt/a.json"));
        assert_eq!(
            nested.sidecar,
            Path::new("/root/.ferret/bkt/a.json.d/b.json")
        );
        assert_eq!(nested.object, Path::new("/root/bkt/a.json/b"));
    }

    #[test]
    fn e_tag_is_the_quoted_hex_md5() {
        let e_tag = md5_e_tag(&b"hello"[..], io::sink()).expect("in memory");
        assert_eq!(e_tag, "\"5d41402abc4b2a76b9719d911017c592\"");
    }
}
