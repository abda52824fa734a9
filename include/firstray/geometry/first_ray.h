/// @file
/// The parametric first ray: first metatarsal, proximal and distal phalanx, medial
/// cuneiform and the two sesamoids, each a cortical shell around a cancellous core,
/// with the articular cartilage of the MTP, IP, first TMT and sesamoid joints.
/// Built with Gmsh's OpenCASCADE kernel and meshed in memory. Units: mm, degrees.
///
/// Coordinates (DESIGN.md): origin at the centre of the first metatarsal head,
/// x along the first metatarsal toward the toe, z dorsal, y = z x x (medial on a
/// right foot). A left foot is the mirror image (y -> -y).
#pragma once

#include <firstray/materials/material.h>
#include <firstray/mesh/mesh_data.h>
#include <firstray/mesh/quality.h>

#include <map>
#include <string>
#include <vector>

namespace firstray::geometry
{
/// Geometry and meshing parameters of the first ray. Defaults: adult male
/// (REFERENCE_DATA.md: first metatarsal 56.4 mm long and 13.7 mm wide, proximal
/// phalanx 28.0 mm; Patil et al., J Clin Diagn Res 2017). Lengths in mm before
/// `scale` is applied; angles in degrees.
struct FirstRayParameters
{
  double      scale                   = 1.0;
  double      metatarsal_length       = 56.4;
  double      metatarsal_width        = 13.7; ///< width of the metatarsal base and shaft scale
  double      head_radius             = 6.85; ///< radius of the condylar head (width / 2)
  double      proximal_phalanx_length = 28.0;
  double      distal_phalanx_length   = 22.0; ///< *unconfirmed* typical adult value
  double      cuneiform_length        = 25.0; ///< *unconfirmed* typical adult value
  double      sesamoid_radius         = 3.8;  ///< *unconfirmed* (sesamoids ~ 9 x 7 mm)
  double      cortical_thickness      = 1.5;
  double      cartilage_thickness     = 1.0;
  double      joint_space             = 0.2;
  double      mtp_dorsiflexion_deg    = 0.0;
  double      ip_flexion_deg          = 0.0;
  std::string side                    = "right";  ///< "right" or "left"
  std::string joints                  = "bonded"; ///< "bonded" or "contact"
  /// Contact joints only: axial stiffness (N/mm) of each of the four tension-only
  /// tethers that stand for a joint's capsule and collateral ligaments (model::
  /// joint_capsule). *unconfirmed* order of magnitude of foot ligaments (Cheung et al.,
  /// J Biomech 38:1045, 2005: trusses of E = 260 MPa, 18.4 mm^2, 10-50 mm long give
  /// 100-480 N/mm); a modelling assumption to vary in sensitivity studies.
  double      capsule_stiffness       = 100.0;
  double      mesh_size               = 3.0; ///< target element size away from joints
  double      articular_mesh_size     = 1.2; ///< element size at the articular surfaces

  /// Declared numeric parameters (name, unit, range).
  static std::vector<materials::ParameterSpec> numeric_parameters();
  /// Set one parameter by name from text (numbers, or "right"/"left", "bonded"/"contact").
  /// @throws InputError naming the parameter when unknown or malformed.
  void set(const std::string &name, const std::string &value);
  /// Set a numeric parameter. @throws InputError when unknown.
  void set(const std::string &name, double value);
  /// Read a numeric parameter. @throws InputError when unknown.
  double get(const std::string &name) const;
  /// All parameters as name -> text, for reports.
  std::map<std::string, std::string> to_map() const;
  /// Ranges and mutual consistency. @throws InputError naming every parameter at fault.
  void validate() const;
};

/// One named region or surface of the first-ray model (the single table of names).
struct NameEntry
{
  std::string name;
  int         dim; ///< 3 volume, 2 surface
  std::string description;
};

/// Every region and surface name the first-ray model defines.
const std::vector<NameEntry> &first_ray_names();

/// The meshed first ray: mesh, quality, and the joints as pairs of surface names.
struct FirstRayMesh
{
  mesh::MeshData      mesh;
  mesh::QualityReport quality;
  /// One joint: its two cartilage layers and their facing surfaces. In bonded mode
  /// both surfaces name the same shared interface.
  struct Joint
  {
    std::string a_surface, b_surface; ///< surface of layer a (proximal side), of layer b
    std::string a_layer, b_layer;     ///< cartilage regions
  };
  /// "mtp", "ip", "tmt", "sesamoid_medial", "sesamoid_lateral" -> joint
  std::map<std::string, Joint> joints;
  double geometry_seconds = 0; ///< building the solids and fragmenting them
  double meshing_seconds  = 0; ///< generating and extracting the tetrahedral mesh
};

/// Build and mesh the first ray. Deterministic: the same parameters give the same mesh.
/// @throws InputError for inconsistent parameters or a geometry Gmsh cannot build.
FirstRayMesh build_first_ray(const FirstRayParameters &parameters);
} // namespace firstray::geometry
