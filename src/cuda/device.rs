//! Device discovery: how many GPUs, and what each one is.
//!
//! Without a driver there are zero devices and that is not an error:
//! [`device_count`] is `Ok(0)` and [`devices`] is empty. The NUMA node
//! nearest a GPU comes from sysfs, `/sys/bus/pci/devices/<bus id>/numa_node`
//! (`-1` there, or no file, means "unknown": `None`).

use crate::error::{Error, Result};

/// What one GPU is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Device ordinal, `0 .. device_count()`.
    pub ordinal: usize,
    /// Marketing name, e.g. "NVIDIA H100 80GB HBM3".
    pub name: String,
    /// Compute capability `(major, minor)`, e.g. `(9, 0)`.
    pub compute_capability: (u32, u32),
    /// Total device memory in bytes.
    pub total_memory: usize,
    /// Free device memory in bytes when queried (needs the primary context).
    pub free_memory: usize,
    /// Number of streaming multiprocessors.
    pub sm_count: u32,
    /// PCI address `dddd:bb:dd.0` (lower-case hex), as sysfs names it.
    pub pci_bus_id: String,
    /// NUMA node nearest the GPU, from sysfs; `None` when unknown.
    pub numa_node: Option<u32>,
}

/// The NUMA node sysfs reports for a PCI device, `None` when unknown.
pub fn pci_numa_node(pci_bus_id: &str) -> Option<u32> {
    let path = format!("/sys/bus/pci/devices/{pci_bus_id}/numa_node");
    let text = std::fs::read_to_string(path).ok()?;
    text.trim()
        .parse::<i64>()
        .ok()
        .and_then(|n| u32::try_from(n).ok())
}

/// The number of CUDA devices; `Ok(0)` when there is no driver (or the crate
/// was built without the `cuda` feature).
pub fn device_count() -> Result<usize> {
    if super::probe::driver().is_err() {
        return Ok(0);
    }
    imp::count()
}

/// Every device's [`DeviceInfo`]; empty without a driver.
pub fn devices() -> Result<Vec<DeviceInfo>> {
    (0..device_count()?).map(device_info).collect()
}

/// One device's [`DeviceInfo`]: `Unavailable` without a driver,
/// `InvalidArgument` for an ordinal past the last device.
pub fn device_info(ordinal: usize) -> Result<DeviceInfo> {
    super::probe::driver()?;
    let count = imp::count()?;
    if ordinal >= count {
        return Err(Error::invalid(format!(
            "device {ordinal} does not exist ({count} devices)"
        )));
    }
    imp::info(ordinal)
}

#[cfg(feature = "cuda")]
mod imp {
    use super::{DeviceInfo, pci_numa_node};
    use crate::cuda::probe::call;
    use crate::error::Result;
    use cudarc::driver::result::device;
    use cudarc::driver::sys::CUdevice_attribute as A;

    pub(super) fn count() -> Result<usize> {
        call(device::get_count).map(|n| n.max(0) as usize)
    }

    pub(super) fn info(ordinal: usize) -> Result<DeviceInfo> {
        call(|| {
            let dev = device::get(ordinal as i32)?;
            // SAFETY: `dev` is a valid device handle from `device::get`.
            let attr = |a: A| unsafe { device::get_attribute(dev, a) };
            let (domain, bus, slot) = (
                attr(A::CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID)?,
                attr(A::CU_DEVICE_ATTRIBUTE_PCI_BUS_ID)?,
                attr(A::CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID)?,
            );
            let pci_bus_id = format!("{domain:04x}:{bus:02x}:{slot:02x}.0");
            let ctx = cudarc::driver::CudaContext::new(ordinal)?;
            let (free_memory, _) = ctx.mem_get_info()?;
            Ok::<_, cudarc::driver::DriverError>(DeviceInfo {
                ordinal,
                name: device::get_name(dev)?,
                compute_capability: (
                    attr(A::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)? as u32,
                    attr(A::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)? as u32,
                ),
                // SAFETY: valid device handle, as above.
                total_memory: unsafe { device::total_mem(dev) }?,
                free_memory,
                sm_count: attr(A::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)? as u32,
                numa_node: pci_numa_node(&pci_bus_id),
                pci_bus_id,
            })
        })
    }
}

#[cfg(not(feature = "cuda"))]
mod imp {
    use super::DeviceInfo;
    use crate::error::{Error, Result};

    pub(super) fn count() -> Result<usize> {
        Ok(0)
    }

    pub(super) fn info(_ordinal: usize) -> Result<DeviceInfo> {
        Err(Error::unavailable(crate::cuda::probe::NO_FEATURE))
    }
}
