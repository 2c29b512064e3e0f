//! Typed indices and the vector they index.
//!
//! Every arena in the engine (a file's expressions, scopes, bindings, functions, classes and imports; the
//! database's files) is an [`IndexVec`] keyed by its own index type, declared with [`define_index!`]. An
//! `IndexVec<ExprId, Expr>` can only be indexed by an `ExprId`, so passing a binding's index where an
//! expression's is expected does not compile, and no `as usize` appears at the use sites.
//!
//! **Architecture invariant:** an index type is a `u32` inside; the only ways to make one are
//! [`IndexVec::push`] (the index of the value just pushed), [`Idx::new`] from a position in the vector and
//! the named constants a type declares (e.g. [`crate::ir::ScopeId::MODULE`]).

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A typed index into an [`IndexVec`].
pub trait Idx: Copy + Eq + fmt::Debug {
    /// The index of position `i`. Panics past `u32::MAX` (no file has four billion expressions).
    fn new(i: usize) -> Self;
    /// The position this index names.
    fn index(self) -> usize;
}

/// Declares a `u32` index type: `define_index! { /// docs \n pub struct ExprId; }`.
///
/// The type is `Copy`, ordered and hashable; `Debug` prints `ExprId(3)`; `id + base` moves an index into a
/// vector that the values were appended to at `base`.
macro_rules! define_index {
    ($(#[$attr:meta])* $vis:vis struct $name:ident;) => {
        $(#[$attr])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis struct $name(u32);

        impl $crate::idx::Idx for $name {
            #[inline]
            fn new(i: usize) -> Self {
                $name(u32::try_from(i).expect(concat!(stringify!($name), " overflow")))
            }
            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        /// The same value's index once its vector is appended to another at position `base`.
        impl std::ops::Add<usize> for $name {
            type Output = $name;
            #[inline]
            fn add(self, base: usize) -> $name {
                <$name as $crate::idx::Idx>::new(self.0 as usize + base)
            }
        }

        impl std::ops::AddAssign<usize> for $name {
            #[inline]
            fn add_assign(&mut self, base: usize) {
                *self = *self + base;
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }
    };
}
pub(crate) use define_index;

/// A `Vec<T>` indexed by `I` only.
pub struct IndexVec<I, T> {
    raw: Vec<T>,
    _index: PhantomData<fn(&I)>,
}

impl<I: Idx, T> IndexVec<I, T> {
    pub const fn new() -> Self {
        IndexVec {
            raw: Vec::new(),
            _index: PhantomData,
        }
    }

    pub fn with_capacity(capacity: usize) -> Self {
        IndexVec {
            raw: Vec::with_capacity(capacity),
            _index: PhantomData,
        }
    }

    /// Appends `value` and returns its index.
    pub fn push(&mut self, value: T) -> I {
        let id = self.next_index();
        self.raw.push(value);
        id
    }

    /// The index the next [`push`](Self::push) returns.
    pub fn next_index(&self) -> I {
        I::new(self.raw.len())
    }

    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.raw.get(id.index())
    }

    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.raw.get_mut(id.index())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.raw.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.raw.iter_mut()
    }

    /// Moves every value of `other` to the end of this vector: an index `i` of `other` becomes
    /// `i + self.len()` (before the call).
    pub fn append(&mut self, other: &mut Self) {
        self.raw.append(&mut other.raw);
    }

    /// Every value with its index.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.raw.iter().enumerate().map(|(i, t)| (I::new(i), t))
    }

    /// Every index, in order.
    pub fn indices(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator {
        (0..self.raw.len()).map(I::new)
    }

    /// The values as a plain slice, for APIs that take one (parallel iteration); positions are indices.
    pub fn as_slice(&self) -> &[T] {
        &self.raw
    }
}

impl<I: Idx, T> Default for IndexVec<I, T> {
    fn default() -> Self {
        IndexVec::new()
    }
}

impl<I, T: Clone> Clone for IndexVec<I, T> {
    fn clone(&self) -> Self {
        IndexVec {
            raw: self.raw.clone(),
            _index: PhantomData,
        }
    }
}

impl<I, T: PartialEq> PartialEq for IndexVec<I, T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<I, T: fmt::Debug> fmt::Debug for IndexVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

impl<I: Idx, T> Index<I> for IndexVec<I, T> {
    type Output = T;
    #[inline]
    fn index(&self, id: I) -> &T {
        &self.raw[id.index()]
    }
}

impl<I: Idx, T> IndexMut<I> for IndexVec<I, T> {
    #[inline]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.raw[id.index()]
    }
}

impl<I: Idx, T> IntoIterator for IndexVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.raw.into_iter()
    }
}

impl<'a, I: Idx, T> IntoIterator for &'a IndexVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.raw.iter()
    }
}

impl<'a, I: Idx, T> IntoIterator for &'a mut IndexVec<I, T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.raw.iter_mut()
    }
}

impl<I: Idx, T> FromIterator<T> for IndexVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        IndexVec {
            raw: iter.into_iter().collect(),
            _index: PhantomData,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    define_index! {
        struct A;
    }
    define_index! {
        struct B;
    }

    #[test]
    fn push_returns_the_index_that_reads_the_value_back() {
        let mut v: IndexVec<A, &str> = IndexVec::new();
        let x = v.push("x");
        let y = v.push("y");
        assert_eq!((v[x], v[y]), ("x", "y"));
        assert_eq!(v.next_index(), A::new(2));
        assert_eq!(
            v.iter_enumerated().map(|(i, _)| i).collect::<Vec<_>>(),
            vec![x, y]
        );
        assert_eq!(format!("{y:?}"), "A(1)");
        let _other_index_type_exists = B::new(0);
    }
}
